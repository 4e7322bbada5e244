// Pure: used by the logger, the audit log and anything that turns errors into text.

const SECRET_KEY_NAME = /pass(word)?|secret|token|bearer|credential|private|identity|kubeconfig|api[-_]?key|authorization|cookie|client[-_]?key|ca\.?crt|known_hosts/i;

export const REDACTED = "[redacted]";

// A user name that is only a name (ssh://git@host): shown. Anything else before an @ is a secret.
const PLAIN_USER = /^[a-z][a-z0-9._-]{0,19}$/;

type Replacement = string | ((match: string, ...groups: string[]) => string);

const TEXT_PATTERNS: [RegExp, Replacement][] = [
  // User info in URLs (any scheme), up to the last @ of the URL: user:pass@, a token alone
  // (https://ghp_…@github.com), and passwords holding '/' or '@' (https://bob:p@ss@host).
  [/([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)@/gi, (match, scheme = "", userinfo = "") => (PLAIN_USER.test(userinfo) ? match : `${scheme}${REDACTED}@`)],
  // PEM blocks: private keys, certificates
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, REDACTED],
  // Authorization headers and bearer tokens
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // key=value / key: value pairs whose key names a secret
  [
    /\b((?:pass(?:word)?|secret|token|api[-_]?key|client[-_]?secret|access[-_]?key)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}]+)/gi,
    `$1${REDACTED}`,
  ],
  // JWTs
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Bare tokens by their published prefixes: GitHub (classic and fine-grained), GitLab, EKS, and Fleetline's own API tokens.
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|k8s-aws-v1\.[A-Za-z0-9_-]{16,}|flt_[A-Za-z0-9_-]{40,})/g, REDACTED],
];

export function redactText(text: string): string {
  return TEXT_PATTERNS.reduce((acc, [pattern, replacement]) => (typeof replacement === "string" ? acc.replace(pattern, replacement) : acc.replace(pattern, replacement)), text);
}

/** Deep copy with every value under a secret-looking key replaced and every string scrubbed. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 20) return REDACTED as T;
  if (typeof value === "string") return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY_NAME.test(key) && v !== null && v !== undefined && v !== "" ? REDACTED : redact(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
