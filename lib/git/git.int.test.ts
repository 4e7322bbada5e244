import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSampleRepo, type SampleRepo } from "@/test-support/git-fixtures";
import { startGitServer, type GitServer } from "@/test-support/git-server";

// The hardened client against the fixture Git server (real git over smart HTTP): log, behind-by,
// changed files and manifests from the cache; authentication through the environment only;
// failures typed, with clean messages.
let server: GitServer;
let sample: SampleRepo;
let privateRepo: SampleRepo;
let dataDir: string;
let git: typeof import("./repository");
let errors: typeof import("./errors");
const TOKEN = "canary-git-password-93be";

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-git-int-"));
  Object.assign(process.env, { FLEETLINE_DATA_DIR: dataDir, FLEETLINE_ALLOW_LOCAL_SOURCES: "true", FLEETLINE_SECRET_KEY: "11".repeat(32) });
  server = await startGitServer();
  sample = await createSampleRepo(server, "public-fleet");
  privateRepo = await createSampleRepo(server, "private-fleet", { auth: { username: "fleet-bot", password: TOKEN } });
  [git, errors] = await Promise.all([import("./repository"), import("./errors")]);
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const main = { type: "branch", value: "main" } as const;

describe("reading a repository", () => {
  it("logs the tracked ref filtered to the Kustomization paths, newest first", async () => {
    const repo = git.openRepository({ url: sample.repo.url });
    const apps = await repo.log(main, ["./apps/podinfo"], 10);
    expect(apps.map((c) => [c.sha, c.subject])).toEqual([
      [sample.commits.bump, "podinfo: bump message"],
      [sample.commits.podinfo, "Add podinfo"],
    ]);
    expect(apps[0]).toMatchObject({ author: "Fleetline Fixtures", date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await repo.log(main, ["./"], 10)).length).toBe(4);
    expect(await repo.resolve({ type: "tag", value: "v1.0.0" })).toBe(sample.commits.podinfo);
    expect(await repo.resolve({ type: "branch", value: "staging" })).toBe(sample.commits.staging);
  });

  it("counts commits behind the head and lists the changed files, names only", async () => {
    const repo = git.openRepository({ url: sample.repo.url });
    expect(await repo.compare(sample.commits.podinfo, main)).toEqual({ behind: 1, ahead: 0 });
    expect((await repo.compare(sample.commits.bump, main)).behind).toBe(0);
    expect(await repo.changedFiles(sample.commits.infrastructure, sample.commits.bump, ["./apps/podinfo"])).toEqual([
      { status: "A", path: "apps/podinfo/configmap.yaml" },
      { status: "A", path: "apps/podinfo/service.yaml" },
    ]);
    expect(await repo.changedFiles(sample.commits.podinfo, sample.commits.bump, ["./infrastructure"])).toEqual([]);
  });

  it("counts behind as the Commits tab lists (path-filtered), and a commit off the tracked ref as diverged", async () => {
    const own = await createSampleRepo(server, "diverged-fleet");
    // A commit outside the Kustomization paths: the repository moves, the listed log does not.
    await server.commit("diverged-fleet", { "docs/notes.md": "notes\n" }, "Docs only");
    const repo = git.openRepository({ url: own.repo.url });
    await repo.refresh({ force: true });
    const paths = ["./infrastructure", "./apps/podinfo"];
    expect((await repo.log(main, paths, 10)).map((c) => c.sha)).not.toContain(await server.head("diverged-fleet"));
    expect(await repo.compare(own.commits.bump, main, paths)).toEqual({ behind: 0, ahead: 0 });
    expect(await repo.compare(own.commits.podinfo, main, paths)).toEqual({ behind: 1, ahead: 0 });
    expect(await repo.compare(own.commits.podinfo, main, ["./"])).toEqual({ behind: 2, ahead: 0 });
    // staging forked from main at "Add podinfo": one commit of its own, one of main's missing.
    expect(await repo.compare(own.commits.staging, main, paths)).toEqual({ behind: 1, ahead: 1 });
  });

  it("sees a new commit only after a refresh, and refreshes at most once per max age", async () => {
    const repo = git.openRepository({ url: sample.repo.url }, { maxAgeMs: 60_000 });
    await repo.refresh({ force: true });
    const next = await server.commit("public-fleet", { "apps/podinfo/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n" }, "Add extra");
    expect((await repo.compare(sample.commits.bump, main)).behind).toBe(0);
    await repo.refresh({ force: true });
    expect((await repo.compare(sample.commits.bump, main)).behind).toBe(1);
    expect(await repo.resolve(main)).toBe(next);
  });

  it("reads the manifests under a path at a commit", async () => {
    const repo = git.openRepository({ url: sample.repo.url });
    const files = await repo.readTree(sample.commits.bump, "./apps/podinfo");
    expect(files.map((f) => f.path)).toEqual(["apps/podinfo/configmap.yaml", "apps/podinfo/service.yaml"]);
    expect(files[0]?.content).toContain('message: "hello from v2"');
  });
});

describe("credentials", () => {
  it("authenticates through the environment: nothing in the URL, nothing in the cache's config", async () => {
    const repo = git.openRepository({ url: privateRepo.repo.url, auth: { type: "https", username: "fleet-bot", password: TOKEN } });
    expect(await repo.resolve(main)).toBe(privateRepo.commits.bump);
    expect(await repo.readTree(privateRepo.commits.bump, "./infrastructure")).toHaveLength(2);
    const config = fs.readFileSync(path.join(repo.dir, "config"), "utf8");
    expect(config).toContain(privateRepo.repo.url);
    expect(config).not.toContain(TOKEN);
    const leftovers = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith("fleetline-git-auth-"));
    expect(leftovers).toEqual([]);
  });

  it("a missing or wrong credential is an auth error whose message holds no secret", async () => {
    const url = privateRepo.repo.url;
    const wrong = await git.openRepository({ url, auth: { type: "https", username: "fleet-bot", password: "not-the-password-71" } }).refresh({ force: true });
    expect(wrong.error).toBeInstanceOf(errors.GitError);
    expect(wrong.error?.kind).toBe("auth");
    expect(wrong.error?.message).not.toContain("not-the-password-71");
    const none = await git.openRepository({ url }).refresh({ force: true });
    expect(none.error).toMatchObject({ kind: "auth", message: "authentication failed: check the source's credential" });
  });
});

describe("failures", () => {
  it("a bad ref and an unknown repository are typed", async () => {
    const repo = git.openRepository({ url: sample.repo.url });
    await expect(repo.resolve({ type: "branch", value: "does-not-exist" })).rejects.toMatchObject({ kind: "bad-ref" });
    const missing = await git.openRepository({ url: server.url("nope") }).refresh();
    expect(missing.error?.kind).toBe("not-found");
  });

  it("refuses dangerous URLs before running anything", () => {
    for (const url of ["file:///etc", "ext::sh%20-c%20id", "git://127.0.0.1/x", "-oProxyCommand=id"]) {
      expect(() => git.openRepository({ url }), url).toThrow(errors.GitError);
    }
  });

  it("a host that never answers times out instead of hanging", async () => {
    const sockets: net.Socket[] = [];
    const blackhole = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
    const port = (blackhole.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const state = await git.openRepository({ url: `http://127.0.0.1:${port}/fleet.git` }, { networkTimeoutMs: 1500 }).refresh();
      expect(state.error?.kind).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    }
  });
});

describe("resolved addresses (issue 11 item 8)", () => {
  // A name that is not local by its text but resolves to loopback, as 127.0.0.1.nip.io does.
  const toLoopback = async () => [{ address: "127.0.0.1", family: 4 }];
  const disguised = () => sample.repo.url.replace("127.0.0.1", "fleet.example");

  it("refuses a host name that resolves to loopback before git runs, with a classified reason", async () => {
    const state = await git.openRepository({ url: disguised() }, { allowLocalSources: false, resolveHost: toLoopback }).refresh({ force: true });
    expect(state.error).toMatchObject({ kind: "invalid", message: expect.stringMatching(/resolves to a loopback address/) });
  });

  it("connects to the address it checked (pinned), not to a second DNS answer", async () => {
    const repo = git.openRepository({ url: disguised() }, { allowLocalSources: true, resolveHost: toLoopback });
    expect((await repo.refresh({ force: true })).error).toBeNull();
    expect(await repo.resolve(main)).toMatch(/^[0-9a-f]{40}$/);
  });

  it("refuses hosts and users that start with '-'", () => {
    for (const url of ["ssh://-oProxyCommand=x@github.com/x", "ssh://git@-oProxyCommand/x", "https://-x.example/x"]) {
      expect(() => git.openRepository({ url }), url).toThrow(errors.GitError);
    }
  });

  it("shows a classified reason, not git's first line (no port or banner oracle)", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await git.openRepository({ url: `http://127.0.0.1:${port}/x.git` }).refresh({ force: true });
    expect(refused.error?.message).toBe("the repository host refused the connection");
    expect(refused.error?.message).not.toContain(String(port));
  });
});
