import { classifyLocalHost, parseIpv6 } from "./hosts";
import { hasControlChars, isAsciiOnly, type CheckResult } from "./rules";

/**
 * Source URL checks (hardening cases 3-4). One implementation, used by the zod schemas in
 * configuration-sources.ts and by anything else that handles a source URL.
 */

export type SourceUrlOptions = {
  /** Admin setting (or a test-only environment variable) allowing loopback hosts; link-local stays refused. */
  allowLocalSources?: boolean;
};

export const MAX_URL_LENGTH = 2048;

export const LINK_LOCAL_REFUSED = "host is a link-local or cloud metadata address: sources there are always refused";

const PLAIN_HTTP_WARNING = "uses plain http: repository contents and credentials travel unencrypted";

type UrlRules = {
  schemes: readonly string[];
  /** ssh://git@host/... names an account, not a secret; every other user info is a credential. */
  allowSshUser: boolean;
  allowQuery: boolean;
};

const GIT_RULES: UrlRules = { schemes: ["http", "https", "ssh"], allowSshUser: true, allowQuery: true };
const OCI_RULES: UrlRules = { schemes: ["oci"], allowSshUser: false, allowQuery: false };
const HELM_RULES: UrlRules = { schemes: ["http", "https"], allowSshUser: false, allowQuery: true };
// Where a cluster's notification-controller posts events: https only, since the address or a token travels with them.
const NOTIFY_RULES: UrlRules = { schemes: ["https"], allowSshUser: false, allowQuery: true };

// Repository names as the OCI distribution spec defines them: lowercase path components.
const OCI_REPOSITORY_PATH = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

function fail(error: string): CheckResult {
  return { ok: false, error };
}

function schemeList(schemes: readonly string[]): string {
  return schemes.map((scheme) => `${scheme}://`).join(", ");
}

/** The syntactic checks shared by every URL kind, before the URL parser sees the text. */
function checkRawText(url: string, rules: UrlRules): string | undefined {
  if (url.length === 0) return "must not be empty";
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  if (hasControlChars(url) || /\s/.test(url)) return "must not contain whitespace or control characters";
  if (!isAsciiOnly(url)) return "must contain only ASCII characters (write international host names in punycode)";
  // A leading '-' is read as an option by git and other CLIs (argument injection).
  if (url.startsWith("-")) return "must not start with '-'";
  // git's remote-helper syntax (ext::sh -c ..., fd::) runs commands instead of fetching.
  if (/^[a-z0-9+.-]*::/i.test(url)) return "must not use git's 'transport::address' remote-helper syntax (such as ext::)";
  if (url.includes("\\")) return "must not contain backslashes";
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (rules.allowSshUser && /^[^/]*@[^/]*:/.test(url)) {
      return "must be a URL: write scp-style 'git@host:path' as ssh://git@host/path";
    }
    return `must start with ${schemeList(rules.schemes)}`;
  }
  if (!rules.schemes.includes(scheme)) {
    return `scheme '${scheme}' is not allowed: use ${schemeList(rules.schemes)}`;
  }
  if (!url.slice(scheme.length).startsWith("://")) return `must start with ${scheme}://`;
  return undefined;
}

function checkParsedUrl(parsed: URL, rules: UrlRules, options: SourceUrlOptions): string | undefined {
  if (parsed.password !== "") {
    return "must not embed a password (user:pass@): attach a credential instead";
  }
  const isSsh = parsed.protocol === "ssh:";
  if (parsed.username !== "" && !(rules.allowSshUser && isSsh)) {
    return "must not embed a user name or token (user@): attach a credential instead";
  }
  if (parsed.username !== "" && !/^[A-Za-z0-9._-]{1,64}$/.test(parsed.username)) {
    return "the ssh user name may contain only letters, digits, '.', '_' and '-'";
  }
  // ssh and other CLIs read a leading '-' as an option (argument injection).
  if (parsed.username.startsWith("-")) return "the ssh user name must not start with '-'";
  const host = parsed.hostname;
  if (host === "") return "must include a host";
  if (host.startsWith("-")) return "host must not start with '-'";
  // Go's URL parser unescapes %XX in hosts, so an encoded host could hide a loopback address.
  if (host.includes("%")) return "host must not contain percent-encoding";
  if (host.startsWith("[") && !parseIpv6(host.slice(1, -1))) return "host is not a valid IPv6 address";
  if (parsed.hash !== "") return "must not contain a fragment (#)";
  if (!rules.allowQuery && parsed.search !== "") return "must not contain a query (?)";
  const local = classifyLocalHost(host);
  // Link-local is cloud metadata and never a source, whatever the setting (issue 11 item 13).
  if (local === "link-local") return LINK_LOCAL_REFUSED;
  if (local === "loopback" && !options.allowLocalSources) {
    return "host is a loopback address: local sources are refused unless an administrator allows them";
  }
  return undefined;
}

function checkUrl(url: string, rules: UrlRules, options: SourceUrlOptions): CheckResult {
  const rawProblem = checkRawText(url, rules);
  if (rawProblem) return fail(rawProblem);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail("is not a valid URL");
  }
  const problem = checkParsedUrl(parsed, rules, options);
  if (problem) return fail(problem);
  return parsed.protocol === "http:" ? { ok: true, warning: PLAIN_HTTP_WARNING } : { ok: true };
}

/** A Flux Provider's address (a webhook, or the repository a commit status is written to): https only. */
export function checkNotifyUrl(url: string, options: SourceUrlOptions = {}): CheckResult {
  return checkUrl(url, NOTIFY_RULES, options);
}

/** GitRepository URL: http://, https:// or ssh:// as Flux accepts; plain http warns. */
export function checkGitUrl(url: string, options: SourceUrlOptions = {}): CheckResult {
  return checkUrl(url, GIT_RULES, options);
}

/** OCIRepository (and OCI HelmRepository) URL: oci://registry/repository, no tag or digest. */
export function checkOciUrl(url: string, options: SourceUrlOptions = {}): CheckResult {
  const result = checkUrl(url, OCI_RULES, options);
  if (!result.ok) return result;
  const path = new URL(url).pathname.replace(/^\//, "");
  if (path === "") return fail("must name a repository after the registry host (oci://registry/repository)");
  if (path.includes("@") || path.includes(":")) {
    return fail("must not include a tag or digest: set the reference separately");
  }
  if (!OCI_REPOSITORY_PATH.test(path)) {
    return fail("repository path must be lowercase letters and digits separated by '/', '.', '_' or '-' (OCI repository name)");
  }
  return result;
}

/** HelmRepository URL: http(s) for type "default", oci:// for type "oci". */
export function checkHelmRepositoryUrl(url: string, type: "default" | "oci", options: SourceUrlOptions = {}): CheckResult {
  if (type === "oci") return checkOciUrl(url, options);
  return checkUrl(url, HELM_RULES, options);
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\.?$/i;

/** Bucket endpoint: host[:port] without a scheme, as Flux's Bucket API expects. */
export function checkBucketEndpoint(endpoint: string, insecure: boolean, options: SourceUrlOptions = {}): CheckResult {
  if (endpoint.length === 0) return fail("must not be empty");
  if (endpoint.length > 512) return fail("must be at most 512 characters");
  if (endpoint.includes("://")) return fail("must be host[:port] without a scheme (use the insecure flag for plain HTTP)");
  if (hasControlChars(endpoint) || /\s/.test(endpoint)) return fail("must not contain whitespace or control characters");
  if (/[/@?#\\%]/.test(endpoint)) return fail("must be host[:port] only, without a path, user, query or percent-encoding");
  const match = /^(\[[^\]]+\]|[^:]+)(?::([0-9]{1,5}))?$/.exec(endpoint);
  const host = match?.[1];
  if (!match || host === undefined) return fail("must be host[:port]");
  if (host.startsWith("[") ? !parseIpv6(host.slice(1, -1)) : !HOSTNAME.test(host)) {
    return fail("host must be a DNS name or an IP address");
  }
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return fail("port must be between 1 and 65535");
  const local = classifyLocalHost(host);
  if (local === "link-local") return fail(LINK_LOCAL_REFUSED);
  if (local === "loopback" && !options.allowLocalSources) {
    return fail("host is a loopback address: local sources are refused unless an administrator allows them");
  }
  return insecure ? { ok: true, warning: "insecure: the bucket is read over plain HTTP" } : { ok: true };
}
