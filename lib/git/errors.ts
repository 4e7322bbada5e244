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

// Ordered: the first pattern that matches git's stderr decides the kind and the words shown.
// Network failures are named by class only: git's own text there carries the address, the
// port and whatever the peer answered (an ssh banner), an oracle for probing internal hosts.
const PATTERNS: [GitErrorKind, RegExp, string][] = [
  ["auth", /authentication failed|could not read (username|password)|terminal prompts disabled|HTTP 40[13]|returned error: 40[13]|permission denied \(publickey|host key verification failed/i, "authentication failed: check the source's credential"],
  ["not-found", /repository .*not found|HTTP 404|returned error: 404|does not appear to be a git repository/i, "repository not found"],
  ["bad-ref", /couldn't find remote ref|unknown revision|bad revision|ambiguous argument|invalid object name|not a valid object name|needed a single revision|bad object/i, "reference not found"],
  ["network", /could not resolve host|could not resolve hostname|name or service not known|temporary failure in name resolution/i, "the repository host name could not be resolved (DNS)"],
  ["network", /connection refused|couldn't connect|failed to connect/i, "the repository host refused the connection"],
  ["timeout", /timed out|operation too slow|low speed/i, "the connection to the repository host timed out"],
  ["network", /network is unreachable|no route to host|empty reply|unable to access|connection reset|connection closed|kex_exchange_identification|ssh_exchange_identification|remote end hung up|ssl|tls|certificate/i, "the repository host could not be reached"],
  ["invalid", /transport '.*' not allowed|unsupported protocol|protocol .* is not supported/i, "this repository URL is not allowed"],
];

/** Kinds whose message may carry git's own (scrubbed) words: they name a ref or a rule, never a peer. */
const DETAILED: readonly GitErrorKind[] = ["bad-ref", "invalid"];

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

/** Turns a failed command's stderr into a typed error with a clean message (the scrubbed detail is for the server log). */
export function gitFailure(stderr: string, secrets: readonly string[]): GitError & { detail: string } {
  const match = PATTERNS.find(([, pattern]) => pattern.test(stderr));
  const detail = detailOf(stderr, secrets);
  const [kind, , summary] = match ?? ["failed", /$/, "git could not read the repository (details are in the server log)"];
  const error = new GitError(kind, DETAILED.includes(kind) && detail ? `${summary}: ${detail}` : summary);
  return Object.assign(error, { detail });
}
