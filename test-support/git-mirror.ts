// The git side of the Flux and Argo CD stand-ins: resolves a reference against
// a remote with the git CLI, keeps a bare mirror per URL and extracts each
// revision once, the way source-controller turns a commit into an artifact.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { git, GitError } from "./git-cli";
import { latestMatching } from "./semver";

export type GitCredentials = { username?: string; password?: string; bearerToken?: string };
export type GitReference = { branch?: string; tag?: string; semver?: string; name?: string; commit?: string };

/** `revision` uses Flux's format: `<branch|tag|name>@sha1:<sha>` or `sha1:<sha>`. */
export type ResolvedRevision = { sha: string; revision: string; refName?: string };
export type Checkout = { dir: string; digest: string; size: number };

/** Credentials travel as an http.extraHeader in the environment: never in the URL or argv. */
function authEnv(creds: GitCredentials | undefined): Record<string, string> {
  let header: string | undefined;
  if (creds?.bearerToken) header = `Authorization: Bearer ${creds.bearerToken}`;
  else if (creds?.username !== undefined) {
    header = `Authorization: Basic ${Buffer.from(`${creds.username}:${creds.password ?? ""}`).toString("base64")}`;
  }
  return header ? { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: header } : {};
}

export class GitMirror {
  private readonly checkouts = new Map<string, Promise<Checkout>>();

  constructor(
    private readonly root: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Lists the remote's refs (this is also what fails on auth or reachability). */
  private async lsRemote(url: string, creds?: GitCredentials): Promise<Map<string, string>> {
    const out = await git(["ls-remote", url], { env: authEnv(creds), timeoutMs: this.timeoutMs });
    const refs = new Map<string, string>();
    for (const line of out.split("\n")) {
      const [sha, ref] = line.split("\t");
      if (sha && ref) refs.set(ref, sha);
    }
    return refs;
  }

  /** Resolves `ref` with Flux's precedence: commit > name > semver > tag > branch (default master). */
  async resolve(url: string, ref: GitReference = {}, creds?: GitCredentials): Promise<ResolvedRevision> {
    const refs = await this.lsRemote(url, creds);
    const peeled = (name: string): string | undefined => refs.get(`${name}^{}`) ?? refs.get(name);
    if (ref.commit) {
      await this.fetch(url, creds);
      const exists = await git(["cat-file", "-e", `${ref.commit}^{commit}`], { cwd: this.mirrorDir(url) }).then(
        () => true,
        () => false,
      );
      if (!exists) throw new GitError(`unable to resolve commit object for '${ref.commit}': object not found`, "");
      return { sha: ref.commit, revision: ref.branch ? `${ref.branch}@sha1:${ref.commit}` : `sha1:${ref.commit}`, refName: ref.branch };
    }
    let refName: string;
    let sha: string | undefined;
    if (ref.name) {
      refName = ref.name;
      sha = peeled(ref.name);
    } else if (ref.semver) {
      const tags = [...refs.keys()].filter((r) => r.startsWith("refs/tags/") && !r.endsWith("^{}")).map((r) => r.slice(10));
      const tag = latestMatching(tags, ref.semver);
      if (!tag) throw new GitError(`no match found for semver: ${ref.semver}`, "");
      refName = tag;
      sha = peeled(`refs/tags/${tag}`);
    } else if (ref.tag) {
      refName = ref.tag;
      sha = peeled(`refs/tags/${ref.tag}`);
    } else {
      refName = ref.branch ?? "master";
      sha = refs.get(`refs/heads/${refName}`);
    }
    if (!sha) {
      const full = ref.name ?? (ref.tag ? `refs/tags/${ref.tag}` : `refs/heads/${refName}`);
      throw new GitError(`couldn't find remote ref "${full}"`, "");
    }
    return { sha, revision: `${refName}@sha1:${sha}`, refName };
  }

  private mirrorDir(url: string): string {
    return path.join(this.root, "mirrors", `${crypto.createHash("sha256").update(url).digest("hex").slice(0, 16)}.git`);
  }

  /** Brings every branch and tag of `url` into the local bare mirror. */
  private async fetch(url: string, creds?: GitCredentials): Promise<string> {
    const dir = this.mirrorDir(url);
    if (!fs.existsSync(dir)) await git(["init", "--quiet", "--bare", dir]);
    await git(["fetch", "--quiet", "--force", "--prune", url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], {
      cwd: dir,
      env: authEnv(creds),
      timeoutMs: this.timeoutMs,
    });
    return dir;
  }

  /** `git cat-file commit <sha>` from the mirror (after checkout fetched it): what a signature covers. */
  async rawCommit(url: string, sha: string): Promise<string> {
    return git(["cat-file", "commit", sha], { cwd: this.mirrorDir(url) });
  }

  /** The annotated tag object named `tag`, or undefined for a lightweight tag (it has no signature). */
  async rawTag(url: string, tag: string): Promise<string | undefined> {
    const dir = this.mirrorDir(url);
    const type = (await git(["cat-file", "-t", `refs/tags/${tag}`], { cwd: dir }).catch(() => "")).trim();
    return type === "tag" ? git(["cat-file", "tag", `refs/tags/${tag}`], { cwd: dir }) : undefined;
  }

  /** The files of commit `sha`, extracted once; digest and size are those of its tarball. */
  checkout(url: string, sha: string, creds?: GitCredentials): Promise<Checkout> {
    let pending = this.checkouts.get(sha);
    if (!pending) {
      pending = this.extract(url, sha, creds);
      this.checkouts.set(sha, pending);
      // A failed extraction (e.g. a transient fetch error) may be retried later.
      pending.catch(() => this.checkouts.delete(sha));
    }
    return pending;
  }

  private async extract(url: string, sha: string, creds?: GitCredentials): Promise<Checkout> {
    let mirror = this.mirrorDir(url);
    const has = async (): Promise<boolean> =>
      fs.existsSync(mirror) && (await git(["cat-file", "-e", `${sha}^{commit}`], { cwd: mirror }).then(() => true, () => false));
    if (!(await has())) mirror = await this.fetch(url, creds);
    const dir = path.join(this.root, "trees", sha);
    const tarball = `${dir}.tar`;
    fs.mkdirSync(dir, { recursive: true });
    await git(["archive", "--format=tar", "-o", tarball, sha], { cwd: mirror });
    const tar = fs.readFileSync(tarball);
    await promisify(execFile)("tar", ["-xf", tarball, "-C", dir], { timeout: this.timeoutMs });
    fs.rmSync(tarball);
    return { dir, digest: `sha256:${crypto.createHash("sha256").update(tar).digest("hex")}`, size: tar.length };
  }
}
