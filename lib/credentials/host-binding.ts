import type { SourceSpec } from "@/lib/validation/configuration";
import { parseIpv4, parseIpv6 } from "@/lib/validation/hosts";

/**
 * A credential is bound to one host when it is created and is only ever rendered for a
 * source on that host (hardening case 25): editing a configuration's URL to a host the
 * attacker controls must not send them the token.
 */

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9])?(\.[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9])?)*$/;

/** Lowercase, no brackets, no trailing dot: the form hosts are stored and compared in. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

/** Why `raw` is not a host name or address (no scheme, port or path), or undefined. */
export function checkHost(raw: string): string | undefined {
  const host = normalizeHost(raw);
  if (host === "") return "is required";
  if (raw.includes("://") || /[/@?#]/.test(raw)) return "must be a host name only, without scheme, user or path (e.g. github.com)";
  if (host.includes(":")) return parseIpv6(host) ? undefined : "must be a host name or address without a port";
  if (/^[0-9.]+$/.test(host)) return parseIpv4(host) === undefined ? "is not a valid IPv4 address" : undefined;
  return DNS_NAME.test(host) ? undefined : "must be a DNS name such as github.com, or an IP address";
}

/** The host a source connects to (URL host, or a bucket endpoint's host), normalised. */
export function sourceHost(source: SourceSpec): string | undefined {
  if (source.kind === "Bucket") {
    const match = /^(\[[^\]]+\]|[^:]+)/.exec(source.endpoint);
    return match?.[1] === undefined ? undefined : normalizeHost(match[1]);
  }
  try {
    return normalizeHost(new URL(source.url).hostname);
  } catch {
    return undefined;
  }
}

/** Why a credential bound to `credentialHost` may not be sent to this source, or undefined. */
export function hostBindingProblem(credentialHost: string, source: SourceSpec): string | undefined {
  const host = sourceHost(source);
  if (host === undefined) return "the source has no host to check the credential against";
  return host === normalizeHost(credentialHost) ? undefined : `the credential is bound to host ${credentialHost}; this source is on ${host}`;
}
