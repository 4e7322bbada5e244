/**
 * Classifies the host part of a URL as loopback or link-local without any DNS lookup,
 * so the same answer comes out in the browser and on the server.
 *
 * Hosts are compared in every spelling a resolver accepts: inet_aton forms
 * (`127.1`, `0x7f.0.0.1`, `2130706433`), IPv4-mapped and NAT64 IPv6, brackets and a
 * trailing dot. A DNS name that merely resolves to such an address (`x.nip.io`) cannot
 * be caught here; whoever connects must re-check the resolved address.
 */

export type LocalHostKind = "loopback" | "link-local";

const LOOPBACK_NAMES = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"]);
// Cloud metadata services answer on link-local addresses and under these names.
const METADATA_NAMES = new Set(["metadata.google.internal"]);

function parseIpv4Part(part: string): number | undefined {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return Number.parseInt(part, 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return Number.parseInt(part, 10);
  return undefined;
}

/** IPv4 address as an unsigned 32-bit number, accepting every form inet_aton accepts. */
export function parseIpv4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length < 1 || parts.length > 4) return undefined;
  const values = parts.map(parseIpv4Part);
  let address = 0;
  for (const [index, value] of values.entries()) {
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const isLast = index === values.length - 1;
    // The last part fills all remaining bytes: `127.1` is 127.0.0.1.
    const limit = isLast ? 256 ** (4 - index) - 1 : 255;
    if (value > limit) return undefined;
    address = isLast ? address * 256 ** (4 - index) + value : address * 256 + value;
  }
  return address;
}

function parseIpv4Strict(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255)) {
    return undefined;
  }
  return parts.map(Number);
}

/** IPv6 address as eight 16-bit groups; zone identifiers are refused. */
export function parseIpv6(text: string): number[] | undefined {
  if (text.includes("%") || !/^[0-9a-f:.]+$/i.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const toGroups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const groups: number[] = [];
    const pieces = half.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (piece.includes(".") && index === pieces.length - 1) {
        const bytes = parseIpv4Strict(piece);
        if (!bytes) return undefined;
        const [a = 0, b = 0, c = 0, d = 0] = bytes;
        groups.push(a * 256 + b, c * 256 + d);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = toGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? toGroups(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function classifyIpv4(address: number): LocalHostKind | undefined {
  const firstOctet = Math.floor(address / 2 ** 24);
  // 0.0.0.0/8 is "this host": connecting to it reaches the local machine.
  if (firstOctet === 127 || firstOctet === 0) return "loopback";
  if (Math.floor(address / 2 ** 16) === 0xa9fe) return "link-local";
  return undefined;
}

function classifyIpv6(groups: number[]): LocalHostKind | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedIpv4 = g6 * 2 ** 16 + g7;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0;
  if (upperZero && g4 === 0 && g5 === 0 && g6 === 0 && g7 <= 1) return "loopback"; // :: and ::1
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  // AWS's IPv6 instance metadata endpoint, fd00:ec2::254.
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) {
    return "link-local";
  }
  // IPv4-compatible, IPv4-mapped, IPv4-translated and NAT64 forms carry an IPv4 address.
  const carriesIpv4 =
    (upperZero && g4 === 0 && (g5 === 0 || g5 === 0xffff)) ||
    (upperZero && g4 === 0xffff && g5 === 0) ||
    (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0);
  return carriesIpv4 ? classifyIpv4(embeddedIpv4) : undefined;
}

/** "loopback", "link-local" (including cloud metadata endpoints), or undefined for any other host. */
export function classifyLocalHost(host: string): LocalHostKind | undefined {
  const lower = host.toLowerCase();
  if (lower.startsWith("[") && lower.endsWith("]")) {
    const groups = parseIpv6(lower.slice(1, -1));
    return groups ? classifyIpv6(groups) : undefined;
  }
  const name = lower.endsWith(".") ? lower.slice(0, -1) : lower;
  if (LOOPBACK_NAMES.has(name) || name.endsWith(".localhost")) return "loopback";
  if (METADATA_NAMES.has(name)) return "link-local";
  const ipv4 = parseIpv4(name);
  return ipv4 === undefined ? undefined : classifyIpv4(ipv4);
}
