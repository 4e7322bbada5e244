// A git fixture server: bare repositories made with the git CLI, served over
// smart HTTP by `git http-backend` behind a Node server on 127.0.0.1, with
// optional per-repo basic (or bearer) auth. Tests change repositories through
// this API; pushes over HTTP are refused unless a repository accepts them.
import { createMessage, readPrivateKey, sign } from "openpgp";
import { splitCommit } from "./flux-verify-git";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { git, gitEnv } from "./git-cli";
import { registerTempDir, removeTempDir } from "./process-guard";

export type GitAuth = { username: string; password: string } | { bearerToken: string };

export type Repo = { name: string; url: string; dir: string; defaultBranch: string; auth?: GitAuth; acceptPushes?: boolean };

export type CreateRepoOptions = {
  /** Files of the first commit (path → content). Without files the repo starts empty. */
  files?: Record<string, string>;
  branch?: string;
  auth?: GitAuth;
  /**
   * Accept `git push` over smart HTTP (receive-pack) on this repository: cluster:up's sample,
   * so a newcomer can commit and watch "behind by N" and a new revision. Tests keep the default.
   */
  acceptPushes?: boolean;
};

export type GitServer = {
  baseUrl: string;
  /** http://127.0.0.1:PORT/<repo>.git */
  url(repo: string): string;
  createRepo(name: string, opts?: CreateRepoOptions): Promise<Repo>;
  /** Commits files on top of `branch` (null deletes a file or a whole folder); returns the sha. */
  commit(repo: string, files: Record<string, string | null>, message?: string, branch?: string): Promise<string>;
  /** Points `branch` at `sha` (creating the branch if needed). */
  moveBranch(repo: string, branch: string, sha: string): Promise<void>;
  /** Lightweight tag at `sha` (default: head of the default branch). */
  tag(repo: string, tag: string, sha?: string): Promise<void>;
  deletePath(repo: string, pathInRepo: string, branch?: string): Promise<string>;
  head(repo: string, branch?: string): Promise<string>;
  /**
   * Re-signs the head commit of `branch` with an armored PGP private key, as `git commit -S`
   * would have (a gpgsig header over the commit object), and moves the branch to it; returns the sha.
   */
  signHead(repo: string, armoredPrivateKey: string, branch?: string): Promise<string>;
  stop(): Promise<void>;
};

function authorized(repo: Repo, header: string | undefined): boolean {
  if (!repo.auth) return true;
  if ("bearerToken" in repo.auth) return header === `Bearer ${repo.auth.bearerToken}`;
  const expected = Buffer.from(`${repo.auth.username}:${repo.auth.password}`).toString("base64");
  return header === `Basic ${expected}`;
}

/** Runs git http-backend as a CGI script for one request. */
function serveCgi(root: string, repo: Repo, req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REMOTE_USER: repo.auth && "username" in repo.auth ? repo.auth.username : "",
  };
  const headerEnv: Record<string, string> = {
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "content-encoding": "HTTP_CONTENT_ENCODING",
    "git-protocol": "GIT_PROTOCOL",
  };
  for (const [header, name] of Object.entries(headerEnv)) {
    const value = req.headers[header];
    if (typeof value === "string") env[name] = value;
  }
  const cgi = spawn("git", ["http-backend"], { env: gitEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  // http-backend may answer and exit before it reads the whole body (a refused method, a client
  // that gave up): what is left to write then fails with EPIPE, which is no error of the server's.
  cgi.stdin.on("error", () => undefined);
  req.on("error", () => cgi.kill());
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  let stderr = "";
  cgi.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString("latin1");
    const end = text.search(/\r?\n\r?\n/);
    if (end < 0) return;
    const separator = text.slice(end).startsWith("\r\n\r\n") ? 4 : 2;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of text.slice(0, end).split(/\r?\n/)) {
      const colon = line.indexOf(":");
      const key = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (key.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else headers[key] = value;
    }
    res.writeHead(status, headers);
    headersSent = true;
    res.write(head.subarray(end + separator));
  });
  cgi.on("close", () => {
    if (!headersSent) res.writeHead(500).end(stderr);
    else res.end();
  });
  cgi.on("error", () => res.destroy());
}

export async function startGitServer(): Promise<GitServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-git-"));
  registerTempDir(root);
  const repos = new Map<string, Repo>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/(.+?\.git)(\/.*)?$/.exec(url.pathname);
    const repo = match?.[1] ? repos.get(match[1].slice(0, -4)) : undefined;
    if (!repo) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("repository not found\n");
      return;
    }
    if (!authorized(repo, req.headers.authorization)) {
      const scheme = repo.auth && "bearerToken" in repo.auth ? "Bearer" : "Basic";
      res.writeHead(401, { "WWW-Authenticate": `${scheme} realm="fleetline-git"`, "Content-Type": "text/plain" }).end("authentication required\n");
      return;
    }
    if (!repo.acceptPushes && (url.searchParams.get("service") === "git-receive-pack" || url.pathname.endsWith("/git-receive-pack"))) {
      res.writeHead(403, { "Content-Type": "text/plain" }).end("pushes are not accepted; use the GitServer API\n");
      return;
    }
    serveCgi(root, repo, req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repoOf = (name: string): Repo => {
    const repo = repos.get(name);
    if (!repo) throw new Error(`unknown fixture repo ${name}`);
    return repo;
  };
  const inRepo = (name: string, args: string[], env?: Record<string, string>, input?: string): Promise<string> =>
    git(args, { cwd: repoOf(name).dir, env, input });

  const resolveRef = async (name: string, ref: string): Promise<string | undefined> =>
    (await inRepo(name, ["rev-parse", "--verify", "-q", `${ref}^{commit}`]).catch(() => "")).trim() || undefined;

  const api: GitServer = {
    baseUrl,
    url: (name) => `${baseUrl}/${name}.git`,

    async createRepo(name, opts = {}) {
      if (repos.has(name)) throw new Error(`fixture repo ${name} exists`);
      const dir = path.join(root, `${name}.git`);
      const defaultBranch = opts.branch ?? "main";
      await git(["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, dir]);
      const repo: Repo = { name, url: api.url(name), dir, defaultBranch, ...(opts.auth ? { auth: opts.auth } : {}), ...(opts.acceptPushes ? { acceptPushes: true } : {}) };
      // http-backend serves receive-pack only to an authenticated user unless the repository allows it.
      if (opts.acceptPushes) await git(["config", "http.receivepack", "true"], { cwd: dir });
      repos.set(name, repo);
      if (opts.files) await api.commit(name, opts.files, "Initial commit");
      return repo;
    },

    async commit(name, files, message = "Update fixtures", branch) {
      const target = branch ?? repoOf(name).defaultBranch;
      // A private index keeps concurrent commits to different branches apart.
      const env = { GIT_INDEX_FILE: path.join(root, `.index-${crypto.randomUUID()}`) };
      try {
        const parent = await resolveRef(name, `refs/heads/${target}`);
        if (parent) await inRepo(name, ["read-tree", parent], env);
        // --index-info works without a work tree (bare repo); mode 0 removes an entry.
        const entries: string[] = [];
        for (const [file, content] of Object.entries(files)) {
          if (content === null) {
            // Matches a file or every file under a folder.
            const listing = parent ? await inRepo(name, ["ls-tree", "-r", "-z", "--name-only", parent, "--", file]) : "";
            for (const tracked of listing.split("\0").filter(Boolean)) entries.push(`0 ${"0".repeat(40)}\t${tracked}`);
          } else {
            const blob = (await inRepo(name, ["hash-object", "-w", "--stdin"], env, content)).trim();
            entries.push(`100644 ${blob}\t${file}`);
          }
        }
        await inRepo(name, ["update-index", "--add", "--index-info"], env, `${entries.join("\n")}\n`);
        const tree = (await inRepo(name, ["write-tree"], env)).trim();
        const commit = (await inRepo(name, ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message], env)).trim();
        await inRepo(name, ["update-ref", `refs/heads/${target}`, commit, ...(parent ? [parent] : [])]);
        return commit;
      } finally {
        fs.rmSync(env.GIT_INDEX_FILE, { force: true });
      }
    },

    async moveBranch(name, branch, sha) {
      await inRepo(name, ["update-ref", `refs/heads/${branch}`, sha]);
    },

    async tag(name, tagName, sha) {
      await inRepo(name, ["tag", "-f", tagName, sha ?? (await api.head(name))]);
    },

    deletePath: (name, pathInRepo, branch) => api.commit(name, { [pathInRepo]: null }, `Remove ${pathInRepo}`, branch),

    async signHead(name, armoredPrivateKey, branch) {
      const target = branch ?? repoOf(name).defaultBranch;
      const head = await api.head(name, target);
      // A signed head is signed again from its unsigned payload.
      const raw = splitCommit(await inRepo(name, ["cat-file", "commit", head])).payload;
      const signingKey = await readPrivateKey({ armoredKey: armoredPrivateKey });
      const signature = (await sign({ message: await createMessage({ binary: Buffer.from(raw, "utf8") }), signingKeys: signingKey, detached: true, format: "armored" })) as string;
      // The header goes after committer, before the blank line; continuation lines start with a space.
      const split = raw.indexOf("\n\n");
      const header = `gpgsig ${signature.trimEnd().split("\n").join("\n ")}`;
      const signed = `${raw.slice(0, split)}\n${header}${raw.slice(split)}`;
      const sha = (await inRepo(name, ["hash-object", "-t", "commit", "-w", "--stdin"], undefined, signed)).trim();
      await inRepo(name, ["update-ref", `refs/heads/${target}`, sha, head]);
      return sha;
    },

    async head(name, branch) {
      const target = branch ?? repoOf(name).defaultBranch;
      const sha = await resolveRef(name, `refs/heads/${target}`);
      if (!sha) throw new Error(`branch ${target} of ${name} has no commits`);
      return sha;
    },

    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      removeTempDir(root);
    },
  };
  return api;
}
