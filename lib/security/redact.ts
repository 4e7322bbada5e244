// Pure: used by the logger, the audit log and anything that turns errors into text.

const SECRET_KEY_NAME = /pass(word)?|secret|token|bearer|credential|private|identity|kubeconfig|api[-_]?key|authorization|cookie|client[-_]?key|ca\.?crt|known_hosts/i;

export const REDACTED = "[redacted]";

const TEXT_PATTERNS: [RegExp, string][] = [
  // user:pass@ in URLs (any scheme)
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]*@/gi, `$1${REDACTED}@`],
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
];

export function redactText(text: string): string {
  return TEXT_PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
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
