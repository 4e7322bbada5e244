import dns from "node:dns";
import net from "node:net";
import { classifyLocalHost } from "@/lib/validation/hosts";
import { LINK_LOCAL_REFUSED } from "@/lib/validation/urls";
import { GitError } from "./errors";

/**
 * The URL check sees only a host's name; a name can resolve anywhere (`127.0.0.1.nip.io`,
 * an internal name, a DNS rebinding). Before git connects, the name is resolved here and
 * every address checked: link-local (cloud metadata) always refused, loopback unless local
 * sources are allowed. The checked address is then pinned for git's http transport
 * (http.curloptResolve), so git connects to what was checked (hardening case 31).
 */

export type Resolver = (hostname: string) => Promise<dns.LookupAddress[]>;
export type ResolvedRemote = { host: string; port: number; address: string };

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "ssh:": 22 };

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

function kindOf(address: string): ReturnType<typeof classifyLocalHost> {
  const bare = address.replace(/%.*$/, "");
  return classifyLocalHost(bare.includes(":") ? `[${bare}]` : bare);
}

export async function checkResolvedRemote(url: string, { allowLocalSources = false, resolve = systemResolver }: { allowLocalSources?: boolean; resolve?: Resolver } = {}): Promise<ResolvedRemote> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[parsed.protocol] ?? 443);
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await resolve(host)).map((a) => a.address);
    } catch {
      throw new GitError("network", "the repository host name could not be resolved (DNS)");
    }
  }
  const [first] = addresses;
  if (first === undefined) throw new GitError("network", "the repository host name could not be resolved (DNS)");
  const kinds = addresses.map(kindOf);
  if (kinds.includes("link-local")) throw new GitError("invalid", `the repository ${LINK_LOCAL_REFUSED.replace(/^host is/, "host resolves to")}`);
  if (kinds.includes("loopback") && !allowLocalSources) {
    throw new GitError("invalid", "the repository host resolves to a loopback address: local sources are refused unless an administrator allows them");
  }
  return { host, port, address: first };
}

/**
 * git config for one network command: the remote checked (above) and, over http(s), pinned to
 * the checked address, so a second DNS answer (rebinding) cannot send git elsewhere. ssh gets
 * the check, not the pin.
 */
export async function pinnedGitConfig(url: string, policy: { allowLocalSources?: boolean; resolve?: Resolver }): Promise<Record<string, string>> {
  const { host, port, address } = await checkResolvedRemote(url, policy);
  if (!/^https?:/i.test(url)) return {};
  const bracket = (value: string) => (value.includes(":") ? `[${value}]` : value);
  return { "http.curloptResolve": `${bracket(host)}:${port}:${bracket(address)}` };
}
