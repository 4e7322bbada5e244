import { hasControlChars } from "./rules";

/**
 * Paths inside a source artifact (Kustomization spec.path, a chart path in a Git
 * repository). Hardening case 5: nothing may point outside the repository, in any
 * spelling, so anything that could be an escape or an encoding of one is refused
 * rather than decoded.
 */

export const MAX_REPO_PATH_LENGTH = 1024;

export type RepoPathResult = { ok: true; path: string } | { ok: false; error: string };

/** Validates a repository-relative path and normalises it to "./a/b" ("./" for the root). */
export function normalizeRepoPath(raw: string): RepoPathResult {
  const fail = (error: string): RepoPathResult => ({ ok: false, error });
  if (raw.length > MAX_REPO_PATH_LENGTH) return fail(`must be at most ${MAX_REPO_PATH_LENGTH} characters`);
  if (raw.includes("\u0000")) return fail("must not contain NUL characters");
  if (hasControlChars(raw)) return fail("must not contain control characters");
  if (raw.includes("\\")) return fail("must use '/' as separator, not backslashes");
  // Any percent-encoding is refused: %2e%2e, %252e and friends decode to '..' somewhere.
  if (raw.includes("%")) return fail("must not contain percent-encoding ('%')");
  if (raw.startsWith("/")) return fail("must be relative to the repository root, not absolute (no leading '/')");
  if (/^[A-Za-z]:/.test(raw)) return fail("must be relative to the repository root, not a drive path");
  if (raw.startsWith("~")) return fail("must be relative to the repository root (no '~')");
  const segments = raw.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.some((segment) => segment === "..")) return fail("must not contain '..' segments");
  if (segments.some((segment) => segment.trim() !== segment)) {
    return fail("path segments must not start or end with spaces");
  }
  return { ok: true, path: segments.length === 0 ? "./" : `./${segments.join("/")}` };
}
