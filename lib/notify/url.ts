import { classifyLocalHost, parseIpv4, parseIpv6 } from "@/lib/validation/hosts";
import { hasControlChars, isAsciiOnly } from "@/lib/validation/rules";
import { MAX_URL_LENGTH } from "@/lib/validation/urls";

// Pure: what a notification URL may be, when it is saved. The address it resolves to is checked
// again when a message is sent (lib/notify/send.ts): a DNS name can point anywhere later.

export type NotifyUrlOptions = { allowLocal: boolean };

export function checkNotificationUrl(text: string, { allowLocal }: NotifyUrlOptions): string | undefined {
  if (text.length === 0) return "is required";
  if (text.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  if (hasControlChars(text) || /\s/.test(text)) return "must not contain whitespace or control characters";
  if (!isAsciiOnly(text)) return "must contain only ASCII characters (write international host names in punycode)";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "https:" && !(allowLocal && url.protocol === "http:")) return "must start with https://";
  if (url.username !== "" || url.password !== "") return "must not embed a user name or password";
  if (url.hostname === "" || url.hostname.includes("%")) return "must name a host";
  if (url.hash !== "") return "must not contain a fragment (#)";
  const local = classifyLocalHost(url.hostname);
  if (local === "link-local") return "host is a link-local or cloud metadata address: always refused";
  if (!allowLocal && (local === "loopback" || isPrivateAddress(url.hostname))) return "host is a loopback or private address: refused";
  return undefined;
}

/** The host and a hint of the path, for lists: never the rest (a webhook URL's path is its secret). */
export function displayHost(text: string): string {
  const url = new URL(text);
  return url.pathname.length > 1 ? `${url.host}/…` : url.host;
}

/** RFC 1918, carrier-grade NAT and IPv6 unique-local addresses, written as literals. */
export function isPrivateAddress(host: string): boolean {
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  const groups = parseIpv6(bare);
  if (groups) {
    const [g0 = 0, , , , g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
    if ((g0 & 0xfe00) === 0xfc00) return true;
    const mapped = groups.slice(0, 4).every((g) => g === 0) && g4 === 0 && g5 === 0xffff;
    return mapped ? isPrivateIpv4(g6 * 65536 + g7) : false;
  }
  const v4 = parseIpv4(bare);
  return v4 === undefined ? false : isPrivateIpv4(v4);
}

function isPrivateIpv4(address: number): boolean {
  const a = Math.floor(address / 2 ** 24);
  const b = Math.floor(address / 2 ** 16) % 256;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}
