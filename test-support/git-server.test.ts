// Self-tests of the git fixture server: plain `git clone` over smart HTTP,
// per-repo auth, and the repository-changing API.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git } from "./git-cli";
import { createSampleRepo, type SampleRepo } from "./git-fixtures";
import { startGitServer, type GitServer } from "./git-server";

const basicHeader = (user: string, password: string): Record<string, string> => ({
  GIT_CONFIG_COUNT: "1",
  GIT_CONFIG_KEY_0: "http.extraHeader",
  GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
});

describe("git fixture server", () => {
  let server: GitServer;
  let sample: SampleRepo;
  let work: string;

  beforeAll(async () => {
    server = await startGitServer();
    sample = await createSampleRepo(server);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-git-test-"));
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("serves the sample repository to a plain git clone", async () => {
    expect(server.url("fleet-config")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fleet-config\.git$/);
    const dir = path.join(work, "clone");
    await git(["clone", "--quiet", sample.repo.url, dir]);
    expect((await git(["rev-parse", "HEAD"], { cwd: dir })).trim()).toBe(sample.commits.bump);
    const files = (await git(["ls-files"], { cwd: dir })).trim().split("\n");
    expect(files).toEqual(["README.md", "apps/frontend/deployment.yaml", "apps/podinfo/configmap.yaml", "apps/podinfo/service.yaml", "infrastructure/cluster-settings.yaml", "infrastructure/namespace.yaml"]);
    expect(fs.readFileSync(path.join(dir, "apps/podinfo/configmap.yaml"), "utf8")).toContain(sample.message);
    const refs = await git(["ls-remote", sample.repo.url]);
    expect(refs).toContain(`${sample.commits.podinfo}\trefs/tags/v1.0.0`);
    expect(refs).toContain(`${sample.commits.staging}\trefs/heads/staging`);
    expect((await git(["rev-list", "--count", "HEAD"], { cwd: dir })).trim()).toBe("4");
  });

  it("answers 401 with WWW-Authenticate without credentials and serves with them", async () => {
    await server.createRepo("team/private", { files: { "a.yaml": "a: 1\n" }, auth: { username: "fleet", password: "s3cret" } });
    const url = server.url("team/private");
    const res = await fetch(`${url}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    await expect(git(["ls-remote", url])).rejects.toThrow(/could not read Username|Authentication failed/);
    await expect(git(["ls-remote", url], { env: basicHeader("fleet", "wrong") })).rejects.toThrow();
    expect(await git(["ls-remote", url], { env: basicHeader("fleet", "s3cret") })).toContain("refs/heads/main");
  });

  it("refuses pushes: repositories change only through the API", async () => {
    const dir = path.join(work, "push");
    await git(["clone", "--quiet", sample.repo.url, dir]);
    await expect(git(["push", "origin", "HEAD:refs/heads/pushed"], { cwd: dir })).rejects.toThrow(/403/);
  });

  it("accepts pushes to a repository created with acceptPushes (cluster:up's sample), from a plain git push", async () => {
    await server.createRepo("pushable", { files: { "a.yaml": "a: 1\n" }, acceptPushes: true });
    const dir = path.join(work, "pushable");
    await git(["clone", "--quiet", server.url("pushable"), dir]);
    fs.writeFileSync(path.join(dir, "a.yaml"), "a: 2\n");
    await git(["commit", "--quiet", "-am", "Bump a"], { cwd: dir });
    await git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], { cwd: dir });
    const pushed = (await git(["rev-parse", "HEAD"], { cwd: dir })).trim();
    expect(await server.head("pushable")).toBe(pushed);
  });

  it("commits, deletes folders, moves branches and tags", async () => {
    await server.createRepo("api", { files: { "base/a.yaml": "a: 1\n", "base/b.yaml": "b: 1\n", "keep.yaml": "k: 1\n" } });
    const first = await server.head("api");
    const second = await server.commit("api", { "keep.yaml": "k: 2\n", "new/c.yaml": "c: 1\n" }, "Second");
    expect(second).not.toBe(first);
    const third = await server.deletePath("api", "base");
    expect(await server.head("api")).toBe(third);
    const dir = path.join(work, "api");
    await git(["clone", "--quiet", server.url("api"), dir]);
    expect((await git(["ls-files"], { cwd: dir })).trim().split("\n")).toEqual(["keep.yaml", "new/c.yaml"]);
    expect(await git(["log", "-1", "--format=%s"], { cwd: dir })).toBe("Remove base\n");

    await server.moveBranch("api", "release", first);
    await server.tag("api", "v0.1.0", second);
    await server.tag("api", "latest");
    const refs = await git(["ls-remote", server.url("api")]);
    expect(refs).toContain(`${first}\trefs/heads/release`);
    expect(refs).toContain(`${second}\trefs/tags/v0.1.0`);
    expect(refs).toContain(`${third}\trefs/tags/latest`);
    // A commit on another branch leaves main alone.
    const onRelease = await server.commit("api", { "r.yaml": "r: 1\n" }, "Release fix", "release");
    expect(await server.head("api", "release")).toBe(onRelease);
    expect(await server.head("api")).toBe(third);
  });

  // Seen in CI: git http-backend answered and exited before reading a request's body, the rest of
  // the body written to its stdin failed with EPIPE, and the unhandled error ended the test runner.
  it("survives a request body that git http-backend does not read", async () => {
    const body = Buffer.alloc(8 << 20, 0x30);
    const answer = await fetch(`${sample.repo.url}/info/refs?service=git-upload-pack`, { method: "POST", body, headers: { "Content-Type": "application/x-git-upload-pack-request" } }).catch((error: unknown) => error);
    // http-backend refuses POST on info/refs; what matters is that the server lives on.
    if (answer instanceof Response) expect(answer.status).toBeGreaterThanOrEqual(400);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refs = await git(["ls-remote", sample.repo.url]);
    expect(refs).toContain(`${sample.commits.bump}\tHEAD`);
  });

  it("answers 404 for unknown repositories", async () => {
    expect((await fetch(`${server.baseUrl}/nope.git/info/refs?service=git-upload-pack`)).status).toBe(404);
  });
});
