import { parsePublicKeyLine } from "./ssh-key";

/**
 * known_hosts for SSH sources: Flux refuses to connect without it. Checked line by line so a
 * typo is caught at creation, not as "knownhosts: key is unknown" on every cluster later.
 */

export const MAX_KNOWN_HOSTS_LENGTH = 64 * 1024;

export type KnownHostsEntry = { hosts: string[]; isHashed: boolean; keyType: string; marker?: "@cert-authority" | "@revoked" };

export type ParsedKnownHosts = { ok: true; entries: KnownHostsEntry[] } | { ok: false; error: string };

const HASHED = /^\|1\|([A-Za-z0-9+/]+=*)\|([A-Za-z0-9+/]+=*)$/;
// Plain host patterns: names, addresses, [host]:port, wildcards and negation.
const HOST_PATTERN = /^!?(\[[A-Za-z0-9.:*?_-]+\]:[0-9]{1,5}|[A-Za-z0-9.:*?_-]+)$/;

function parseLine(line: string): KnownHostsEntry | string {
  const fields = line.split(/\s+/);
  let marker: KnownHostsEntry["marker"];
  if (fields[0] === "@cert-authority" || fields[0] === "@revoked") marker = fields.shift() as KnownHostsEntry["marker"];
  else if (fields[0]?.startsWith("@")) return "has an unknown marker (only @cert-authority and @revoked exist)";
  const [hostField, keyType, keyData] = fields;
  if (!hostField || !keyType || !keyData) return "must be 'hosts key-type base64-key' (hosts, key type and key separated by spaces)";
  const hashed = HASHED.test(hostField);
  const hosts = hashed ? [] : hostField.split(",");
  if (!hashed && hosts.some((host) => !HOST_PATTERN.test(host))) {
    return "has a host that is not a host name, an address, [host]:port or a hashed |1|salt|hash entry";
  }
  const key = parsePublicKeyLine(`${keyType} ${keyData}`);
  if (!key) return "has a key that is not valid base64 for its key type";
  return { hosts, isHashed: hashed, keyType, ...(marker ? { marker } : {}) };
}

export function parseKnownHosts(text: string): ParsedKnownHosts {
  if (text.length > MAX_KNOWN_HOSTS_LENGTH) return { ok: false, error: `must be at most ${MAX_KNOWN_HOSTS_LENGTH} characters` };
  const entries: KnownHostsEntry[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const parsed = parseLine(line);
    if (typeof parsed === "string") return { ok: false, error: `line ${index + 1} ${parsed}` };
    entries.push(parsed);
  }
  if (entries.length === 0) return { ok: false, error: "must hold at least one host key (ssh-keyscan <host> prints them)" };
  return { ok: true, entries };
}

function globMatches(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${regex}$`, "i").test(value);
}

/** Whether a plain pattern names the host, on the default port or any other. */
function patternMatches(pattern: string, host: string): boolean {
  const bracketed = /^\[(.+)\]:[0-9]+$/.exec(pattern);
  return globMatches(bracketed?.[1] ?? pattern, host);
}

/**
 * Whether known_hosts can vouch for `host`. A hashed entry does not say which host it was
 * made for (one made for [host]:port cannot even be checked without the port), so with a
 * hashed entry present the answer is "cannot tell", taken as yes.
 */
export function knownHostsCover(entries: KnownHostsEntry[], host: string): boolean {
  const usable = entries.filter((entry) => entry.marker !== "@revoked");
  if (usable.some((entry) => entry.isHashed)) return true;
  return usable.some(
    (entry) =>
      entry.hosts.some((p) => !p.startsWith("!") && patternMatches(p, host)) &&
      !entry.hosts.some((p) => p.startsWith("!") && patternMatches(p.slice(1), host)),
  );
}

/** Host names to show for a credential (hashed entries only say that they are hashed). */
export function knownHostsSummary(entries: KnownHostsEntry[]): string[] {
  const names = new Set<string>();
  for (const entry of entries) {
    if (entry.isHashed) names.add("(hashed entry)");
    for (const host of entry.hosts) names.add(host);
  }
  return [...names];
}
