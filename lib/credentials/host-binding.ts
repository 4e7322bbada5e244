import type { SourceSpec } from "@/lib/validation/configuration";
import { classifyLocalHost, parseIpv4, parseIpv6 } from "@/lib/validation/hosts";

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

export type CredentialKind = "ssh" | "https" | "bearer" | "ca";

/** The scheme a source connects with: a URL's, or a bucket's (https unless marked insecure). */
function sourceScheme(source: SourceSpec): string | undefined {
  if (source.kind === "Bucket") return source.insecure ? "http" : "https";
  return /^([a-z][a-z0-9+.-]*):/i.exec(source.url)?.[1]?.toLowerCase();
}

/**
 * Why a credential bound to `credentialHost` may not be sent to this source, or undefined.
 * With its type, the scheme is bound too: a password or token goes only over https (never
 * as cleartext to http://same-host:8080; the test harness's loopback servers excepted when
 * local sources are allowed), an SSH key only over ssh.
 */
export function hostBindingProblem(credentialHost: string, source: SourceSpec, type?: CredentialKind, { allowLocalSources = false } = {}): string | undefined {
  const host = sourceHost(source);
  if (host === undefined) return "the source has no host to check the credential against";
  if (host !== normalizeHost(credentialHost)) return `the credential is bound to host ${credentialHost}; this source is on ${host}`;
  const scheme = sourceScheme(source);
  if (type === "https" || type === "bearer") {
    if (scheme === "http") {
      const harness = allowLocalSources && classifyLocalHost(host.includes(":") ? `[${host}]` : host) === "loopback";
      return harness ? undefined : "the credential would travel unencrypted over plain http: use an https:// URL";
    }
    if (scheme === "ssh") return "this credential is sent only over https: use an SSH key credential for ssh:// URLs";
  }
  if (type === "ssh" && scheme !== "ssh") return "this credential is sent only over ssh: use an ssh:// URL or an HTTPS credential";
  return undefined;
}
