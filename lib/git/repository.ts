import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { withGitAuth, type GitAuth } from "./auth";
import { GitError } from "./errors";
import { runGit, runGitBuffer, type RunOptions } from "./exec";
import { checkRemoteUrl, checkSha, refSpecFor, repoPathspec, type GitRef } from "./policy";
import { pinnedGitConfig, type Resolver } from "./resolve-guard";
import { SOURCEIGNORE, sourceIgnoreFilter, sourceIgnorePathsFor } from "./source-ignore";

/** `ignore` is the GitRepository's spec.ignore: files Flux leaves out are never read here either. */
export type GitSource = { url: string; auth?: GitAuth; ignore?: string };
export type Commit = { sha: string; author: string; date: string; subject: string };
export type ChangedFile = { status: string; path: string };
export type RepoFile = { path: string; content: string };
export type FetchState = { fetchedAt: number | null; error: GitError | null };

const DEFAULT_MAX_AGE_MS = 30_000;
const NETWORK_TIMEOUT_MS = 60_000;
const LOCAL_TIMEOUT_MS = 15_000;
const MAX_LOG = 500;
const MAX_TREE_FILES = 500;
const MAX_TREE_BYTES = 5 * 1024 * 1024;

// Per cache directory: the last fetch attempt and the one in flight, shared by every caller in the process.
/**
 * `answers`: what this cache said since its last fetch (a ref's commit, behind/ahead counts).
 * Only a fetch can change them, so the observation loop asks git once per fetch, not on every
 * pass (every pass spawned rev-parse, cat-file and two rev-lists per source and cluster row).
 */
type Entry = { attemptedAt: number; fetchedAt: number | null; error: GitError | null; inFlight?: Promise<void>; answers: Map<string, unknown> };
const MAX_ANSWERS = 1000;
const globalForGit = globalThis as unknown as { fleetlineGitCache?: Map<string, Entry> };
const entries = (globalForGit.fleetlineGitCache ??= new Map());

function cacheRoot(): string {
  return path.resolve(env().FLEETLINE_DATA_DIR, "git-cache");
}

/** One bare, blob-less repository per URL; the name is a hash, so nothing from the URL reaches a path. */
export function cacheDir(url: string): string {
  return path.join(cacheRoot(), `${crypto.createHash("sha256").update(url).digest("hex").slice(0, 32)}.git`);
}

/**
 * Removes half-made clones (`<hash>.git.tmp-<uuid>`) that a crash or a kill left in the cache.
 * Called once at boot, before any fetch can be staging one.
 */
export function removeHalfClones(): number {
  const root = cacheRoot();
  if (!fs.existsSync(root)) return 0;
  const stale = fs.readdirSync(root).filter((name) => /^[0-9a-f]{32}\.git\.tmp-[0-9a-f-]+$/.test(name));
  for (const name of stale) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  return stale.length;
}

type AddressPolicy = { allowLocalSources: boolean; resolve?: Resolver };

const pinnedConfig = (url: string, policy: AddressPolicy) => pinnedGitConfig(url, policy);

async function cloneOrFetch(source: GitSource, dir: string, timeoutMs: number, policy: AddressPolicy): Promise<void> {
  const pin = await pinnedConfig(source.url, policy);
  await withGitAuth(source.auth, async ({ env: authEnv, config: authConfig, secrets }) => {
    const config = { ...authConfig, ...pin };
    const options: RunOptions = { env: authEnv, config, secrets, timeoutMs };
    if (fs.existsSync(dir)) {
      await runGit(["fetch", "--quiet", "--prune", "--force", "origin", "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], { ...options, cwd: dir });
      return;
    }
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    // Clone beside the final place and rename, so a failed clone never leaves a half repository.
    const staging = `${dir}.tmp-${crypto.randomUUID()}`;
    try {
      await runGit(["clone", "--quiet", "--bare", "--filter=blob:none", "--", source.url, staging], options);
      fs.renameSync(staging, dir);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });
}

/** Runs a command in the cache with the source's credentials (blob-less caches fetch blobs on demand, so the address is checked and pinned too). */
async function runInCache<T>(source: GitSource, policy: AddressPolicy, fn: (options: RunOptions) => Promise<T>): Promise<T> {
  const cwd = cacheDir(source.url);
  const pin = await pinnedConfig(source.url, policy);
  return withGitAuth(source.auth, ({ env: authEnv, config, secrets }) => fn({ cwd, env: authEnv, config: { ...config, ...pin }, secrets, timeoutMs: LOCAL_TIMEOUT_MS }));
}

/**
 * A hardened client for one source repository, over a local cache that is refreshed on
 * demand but at most once per `maxAgeMs` (failures too: a wrong password is not retried in
 * a loop). Reads (log, behind-by, changed files) come from the cache.
 */
export function openRepository(
  source: GitSource,
  { maxAgeMs = DEFAULT_MAX_AGE_MS, networkTimeoutMs = NETWORK_TIMEOUT_MS, allowLocalSources = env().FLEETLINE_ALLOW_LOCAL_SOURCES, resolveHost }: { maxAgeMs?: number; networkTimeoutMs?: number; allowLocalSources?: boolean; resolveHost?: Resolver } = {},
) {
  checkRemoteUrl(source.url, { allowLocalSources });
  const dir = cacheDir(source.url);
  const policy: AddressPolicy = { allowLocalSources, ...(resolveHost ? { resolve: resolveHost } : {}) };
  const inCache = <T>(s: GitSource, fn: (options: RunOptions) => Promise<T>) => runInCache(s, policy, fn);

  const fetchInto = async (entry: Entry): Promise<void> => {
    try {
      await cloneOrFetch(source, dir, networkTimeoutMs, policy);
      entry.fetchedAt = Date.now();
    } catch (error) {
      if (!(error instanceof GitError)) log.warn("git: unexpected failure", { error: errorMessage(error) });
      entry.error = error instanceof GitError ? error : new GitError("failed", "git failed unexpectedly (details are in the server log)");
    } finally {
      delete entry.inFlight;
    }
  };

  const refresh = async ({ force = false } = {}): Promise<FetchState> => {
    const current = entries.get(dir);
    if (current?.inFlight) await current.inFlight;
    else if (!current || force || Date.now() - current.attemptedAt >= maxAgeMs) {
      const next: Entry = { attemptedAt: Date.now(), fetchedAt: current?.fetchedAt ?? null, error: null, answers: new Map() };
      entries.set(dir, next);
      next.inFlight = fetchInto(next);
      await next.inFlight;
    }
    const entry = entries.get(dir);
    return { fetchedAt: entry?.fetchedAt ?? null, error: entry?.error ?? null };
  };

  /** A read of the cache, remembered until the next fetch (successful answers only). */
  const remembered = async <T>(key: string, read: () => Promise<T>): Promise<T> => {
    const answers = entries.get(dir)?.answers;
    if (answers?.has(key)) return answers.get(key) as T;
    const value = await read();
    const now = entries.get(dir)?.answers;
    if (now && now === answers) {
      if (now.size >= MAX_ANSWERS) now.clear();
      now.set(key, value);
    }
    return value;
  };

  /** Refreshes when due; a failed refresh still lets reads use what an earlier fetch brought. */
  const ready = async (): Promise<void> => {
    const state = await refresh();
    if (state.error && !fs.existsSync(dir)) throw state.error;
  };

  const resolve = async (ref: GitRef): Promise<string> => {
    await ready();
    const spec = refSpecFor(ref);
    return remembered(`resolve\0${spec}`, async () => {
      const out = await inCache(source, (o) => runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${spec}^{commit}`], o)).catch((error: unknown) => {
        // rev-parse --quiet fails silently for an unknown ref; a timeout is still a timeout.
        if (error instanceof GitError && error.kind === "timeout") throw error;
        return "";
      });
      const sha = out.trim();
      if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitError("bad-ref", `${ref.type} ${ref.value} not found in the repository`);
      return sha;
    });
  };

  const hasCommit = async (sha: string): Promise<boolean> =>
    inCache(source, (o) => runGit(["cat-file", "-e", `${checkSha(sha)}^{commit}`], o)).then(
      () => true,
      () => false,
    );

  /** Blob contents through one `cat-file --batch`, bounded in bytes. */
  const readBlobs = async (blobs: readonly { oid: string; path: string }[]): Promise<RepoFile[]> => {
    if (blobs.length === 0) return [];
    const input = `${blobs.map((b) => b.oid).join("\n")}\n`;
    const out = await inCache(source, (o) => runGitBuffer(["cat-file", "--batch"], { ...o, input, maxOutputBytes: MAX_TREE_BYTES, timeoutMs: networkTimeoutMs }));
    const files: RepoFile[] = [];
    let offset = 0;
    for (const blob of blobs) {
      const newline = out.indexOf(0x0a, offset);
      const header = out.subarray(offset, newline).toString("utf8").split(" ");
      const size = Number(header[2]);
      if (header[1] !== "blob" || !Number.isInteger(size)) throw new GitError("failed", `could not read ${blob.path}`);
      files.push({ path: blob.path, content: out.subarray(newline + 1, newline + 1 + size).toString("utf8") });
      offset = newline + 1 + size + 1;
    }
    return files;
  };

  return {
    dir,
    refresh,
    resolve,
    hasCommit,

    /** Newest first: the commits of `ref` touching any of `paths` (Kustomization paths; "./" is the whole tree). */
    async log(ref: GitRef, paths: readonly string[], limit = 50): Promise<Commit[]> {
      const head = await resolve(ref);
      const specs = paths.map(repoPathspec);
      const pathArgs = specs.includes("") || specs.length === 0 ? ["--"] : ["--", ...specs];
      const count = String(Math.max(1, Math.min(MAX_LOG, Math.floor(limit))));
      const out = await inCache(source, (o) => runGit(["log", "--no-color", `--max-count=${count}`, "--format=%H%x1f%an%x1f%aI%x1f%s%x1e", head, ...pathArgs], o));
      return out
        .split("\x1e")
        .map((record) => record.trim())
        .filter(Boolean)
        .map((record) => {
          const [sha = "", author = "", date = "", subject = ""] = record.split("\x1f");
          return { sha, author, date, subject };
        });
    },

    /**
     * Where `appliedSha` stands against the head of `ref`. `behind`: the head's commits it lacks,
     * counted among those touching `paths` (Kustomization paths), so the number matches what the
     * Commits tab lists. `ahead`: its own commits the head lacks, all of them (they are on no
     * listed log); above 0 exactly when it is not an ancestor of the head, i.e. it diverged.
     */
    async compare(appliedSha: string, ref: GitRef, paths: readonly string[] = ["./"]): Promise<{ behind: number; ahead: number }> {
      const head = await resolve(ref);
      const applied = checkSha(appliedSha);
      return remembered(`compare\0${applied}\0${head}\0${paths.join("\0")}`, async () => {
        if (!(await hasCommit(applied))) throw new GitError("bad-ref", "the applied commit is not in the repository (was the branch force-pushed?)");
        const specs = paths.map(repoPathspec);
        const pathArgs = specs.includes("") || specs.length === 0 ? ["--"] : ["--", ...specs];
        const count = (range: string, args: string[]) => inCache(source, (o) => runGit(["rev-list", "--count", range, ...args], o)).then((out) => Number(out.trim()));
        const [behind, ahead] = await Promise.all([count(`${applied}..${head}`, pathArgs), count(`${head}..${applied}`, ["--"])]);
        return { behind, ahead };
      });
    },

    /** Files that differ between two commits, limited to `paths` (names only: no blobs are needed). */
    async changedFiles(fromSha: string, toSha: string, paths: readonly string[]): Promise<ChangedFile[]> {
      await ready();
      const specs = paths.map(repoPathspec);
      const pathArgs = specs.includes("") || specs.length === 0 ? ["--"] : ["--", ...specs];
      const out = await inCache(source, (o) => runGit(["diff", "--no-renames", "--name-status", "-z", checkSha(fromSha), checkSha(toSha), ...pathArgs], o));
      const fields = out.split("\0").filter(Boolean);
      const files: ChangedFile[] = [];
      for (let i = 0; i + 1 < fields.length; i += 2) files.push({ status: fields[i]!, path: fields[i + 1]! });
      return files;
    },

    /**
     * The YAML files (and kustomization files) under `dirPath` at `sha`, bounded in count and
     * bytes, without the files Flux ignores (`.sourceignore` files and the source's spec.ignore).
     */
    async readTree(sha: string, dirPath: string): Promise<RepoFile[]> {
      await ready();
      const spec = repoPathspec(dirPath);
      const commit = checkSha(sha);
      const lsTree = (args: string[]) => inCache(source, (o) => runGit(["ls-tree", "-z", "--full-tree", ...args], o));
      // Recursive under the path; the .sourceignore files of its ancestors by exact path.
      const [listing, ancestors] = await Promise.all([lsTree(["-r", commit, "--", ...(spec ? [spec] : [])]), spec ? lsTree([commit, "--", ...sourceIgnorePathsFor(spec).slice(0, -1)]) : ""]);
      const entries = `${ancestors}${listing}`
        .split("\0")
        .filter(Boolean)
        .flatMap((line) => {
          const match = /^\d+ blob ([0-9a-f]{40})\t(.+)$/s.exec(line);
          return match ? [{ oid: match[1]!, path: match[2]! }] : [];
        });
      const ignoreFiles = entries.filter((e) => e.path === SOURCEIGNORE || e.path.endsWith(`/${SOURCEIGNORE}`));
      const ignoreTexts = await readBlobs(ignoreFiles);
      const ignored = sourceIgnoreFilter(
        source.ignore,
        ignoreTexts.map((f) => ({ dir: f.path.slice(0, -SOURCEIGNORE.length).replace(/\/$/, ""), content: f.content })),
      );
      const blobs = entries.filter((e) => /(\.ya?ml|\/Kustomization|^Kustomization)$/.test(e.path) && !ignored(e.path));
      if (blobs.length > MAX_TREE_FILES) throw new GitError("too-large", `the path holds more than ${MAX_TREE_FILES} manifest files`);
      return readBlobs(blobs);
    },
  };
}

export type GitRepository = ReturnType<typeof openRepository>;
