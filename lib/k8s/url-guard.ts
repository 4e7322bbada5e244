// Pure (no Node APIs): the registration form in the browser uses it too.
import { classifyLocalHost } from "@/lib/validation/hosts";

const MAX_URL_LENGTH = 2048;

/**
 * Checks an API server URL. Returns null when it is acceptable, else a reason that
 * does not repeat the URL. Private and loopback addresses are normal for clusters;
 * link-local addresses are where cloud metadata services live, so they are refused.
 */
export function checkApiServerUrl(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `is longer than ${MAX_URL_LENGTH} characters`;
  if (raw.trim() !== raw || raw === "") return "must be a URL without surrounding spaces";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "https:") return "must start with https:// (the portal only talks to API servers over TLS)";
  // Credentials belong in the token or certificate fields, where they are encrypted and redacted.
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  if (url.search !== "" || url.hash !== "") return "must not contain a query string or fragment";
  if (url.hostname === "") return "has no host";
  if (isLinkLocalAddress(url.hostname)) {
    return "points at a link-local address (169.254.0.0/16, fe80::/10 or fd00:ec2::254), where cloud metadata services live";
  }
  return null;
}

/**
 * True for link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254,
 * and IPv6 forms that embed an IPv4 link-local address). Other host names are false: the
 * connect-time DNS guard checks what they resolve to.
 */
export function isLinkLocalAddress(host: string): boolean {
  // A zone index (fe80::1%eth0) does not change which network the address is on.
  const bare = host.replace(/%[^\]]*/, "");
  const bracketed = bare.includes(":") && !bare.startsWith("[") ? `[${bare}]` : bare;
  return classifyLocalHost(bracketed) === "link-local";
}
