import { redactText } from "@/lib/security/redact";

// Pure: what a failed git command means, in words safe to show and store.

export type GitErrorKind = "invalid" | "auth" | "not-found" | "bad-ref" | "network" | "timeout" | "too-large" | "failed";

/** A failed git operation. The message never contains credentials, headers or request bodies. */
export class GitError extends Error {
  readonly kind: GitErrorKind;

  constructor(kind: GitErrorKind, message: string) {
    super(message);
    this.name = "GitError";
    this.kind = kind;
  }
}

const MAX_DETAIL = 300;

// Ordered: the first pattern that matches git's stderr decides the kind.
const PATTERNS: [GitErrorKind, RegExp, string][] = [
  ["auth", /authentication failed|could not read (username|password)|terminal prompts disabled|HTTP 40[13]|returned error: 40[13]|permission denied \(publickey|host key verification failed/i, "authentication failed: check the source's credential"],
  ["not-found", /repository .*not found|HTTP 404|returned error: 404|does not appear to be a git repository/i, "repository not found"],
  ["bad-ref", /couldn't find remote ref|unknown revision|bad revision|ambiguous argument|invalid object name|not a valid object name|needed a single revision|bad object/i, "reference not found"],
  ["network", /could not resolve host|connection refused|failed to connect|connection timed out|network is unreachable|couldn't connect|empty reply|unable to access/i, "the repository host could not be reached"],
  ["invalid", /transport '.*' not allowed|unsupported protocol|protocol .* is not supported/i, "this repository URL is not allowed"],
];

/**
 * Removes anything that could be a secret from git's text: the values passed in, plus the
 * generic patterns (user:pass@ in URLs, Authorization headers, PEM blocks).
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return redactText(out);
}

/** git's most telling stderr line ("fatal: ..."), scrubbed and shortened. */
function detailOf(stderr: string, secrets: readonly string[]): string {
  const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
  const line = lines.find((l) => /^(fatal|error):/i.test(l)) ?? lines.at(-1) ?? "";
  return scrub(line.replace(/^(fatal|error):\s*/i, ""), secrets).slice(0, MAX_DETAIL);
}

/** Turns a failed command's stderr into a typed error with a clean message. */
export function gitFailure(stderr: string, secrets: readonly string[]): GitError {
  const match = PATTERNS.find(([, pattern]) => pattern.test(stderr));
  const detail = detailOf(stderr, secrets);
  if (!match) return new GitError("failed", detail ? `git failed: ${detail}` : "git failed");
  const [kind, , summary] = match;
  // Auth failures get no detail: git's text there may echo the URL and adds nothing to "check the credential".
  return new GitError(kind, kind === "auth" || !detail ? summary : `${summary}: ${detail}`);
}
