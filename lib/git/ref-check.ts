import "server-only";
import { env } from "@/lib/env";
import { withGitAuth } from "./auth";
import { GitError } from "./errors";
import { runGit } from "./exec";
import { checkRemoteUrl, refSpecFor, type GitRef } from "./policy";
import { pinnedGitConfig } from "./resolve-guard";
import type { GitSource } from "./repository";

// The wizard's Review step reads the ref before anything is pushed: a missing repository or
// branch is said there ("branch main not found"), not 25 s after the push. One `ls-remote`
// through the same hardened git and credential handling as the cache; nothing is stored.

const LS_REMOTE_TIMEOUT_MS = 15_000;

export type RefCheck = { status: "ok"; sha: string } | { status: "missing"; message: string } | { status: "error"; message: string } | { status: "skipped" };

export async function checkRemoteRef(source: GitSource, ref: GitRef): Promise<RefCheck> {
  // A commit is not advertised by ls-remote and a semver range needs the tag list: the push checks those.
  if (ref.type === "commit" || ref.type === "semver") return { status: "skipped" };
  try {
    const allowLocalSources = env().FLEETLINE_ALLOW_LOCAL_SOURCES;
    checkRemoteUrl(source.url, { allowLocalSources });
    const spec = refSpecFor(ref);
    // The host's addresses are checked (and pinned over http) as for every fetch.
    const pin = await pinnedGitConfig(source.url, { allowLocalSources });
    const out = await withGitAuth(source.auth, ({ env: authEnv, config, secrets }) =>
      runGit(["ls-remote", "--", source.url, spec], { env: authEnv, config: { ...config, ...pin }, secrets, timeoutMs: LS_REMOTE_TIMEOUT_MS, maxOutputBytes: 64 * 1024 }),
    );
    const line = out.split("\n").find((l) => l.endsWith(`\t${spec}`));
    const sha = line?.split("\t")[0];
    return sha ? { status: "ok", sha } : { status: "missing", message: `${ref.type} ${ref.value} not found in ${source.url}` };
  } catch (error) {
    return { status: "error", message: error instanceof GitError ? error.message : "the repository could not be read" };
  }
}
