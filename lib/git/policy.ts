import { checkCommitSha, checkGitRefName } from "@/lib/validation/refs";
import { normalizeRepoPath } from "@/lib/validation/repo-path";
import { checkGitUrl } from "@/lib/validation/urls";
import { GitError } from "./errors";

// Pure: what the git client agrees to run against. Everything a user typed is checked here
// again, even though it was validated when saved: the client must be safe on its own.

export type GitRef = { type: "branch" | "tag" | "commit" | "semver"; value: string };

/**
 * Only http://, https:// and ssh:// remotes: no `ext::` (runs commands), no file:// or
 * local paths, no git:// (unauthenticated), no leading '-' (read as an option), no
 * credentials in the URL, and no loopback or link-local hosts unless allowed.
 */
export function checkRemoteUrl(url: string, { allowLocalSources = false } = {}): void {
  const result = checkGitUrl(url, { allowLocalSources });
  if (!result.ok) throw new GitError("invalid", `repository URL ${result.error}`);
}

/** The fully qualified ref to read, or a sha; semver ranges are not resolved by the cache. */
export function refSpecFor(ref: GitRef): string {
  const problem = ref.type === "commit" ? checkCommitSha(ref.value) : ref.type === "semver" ? "semver ranges are not resolved here" : checkGitRefName(ref.value);
  if (problem) throw new GitError("invalid", `${ref.type} ${problem}`);
  if (ref.type === "branch") return `refs/heads/${ref.value}`;
  if (ref.type === "tag") return `refs/tags/${ref.value}`;
  return ref.value;
}

export function checkSha(sha: string): string {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitError("invalid", "a commit must be a full 40-character hexadecimal sha");
  return sha;
}

/** A Kustomization path ("./apps/podinfo", "./") as a pathspec relative to the root ("apps/podinfo", ""). */
export function repoPathspec(raw: string): string {
  const result = normalizeRepoPath(raw);
  if (!result.ok) throw new GitError("invalid", `path ${result.error}`);
  return result.path.replace(/^\.\/?/, "");
}

/** The sha in a Flux Git revision: `main@sha1:<sha>`, `sha1:<sha>`, or a legacy `main/<sha>`. */
export function shaOfRevision(revision: string | null | undefined): string | undefined {
  return /(?:sha1:|\/)([0-9a-f]{40})$/.exec(revision ?? "")?.[1];
}
