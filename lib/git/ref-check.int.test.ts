import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSampleRepo, type SampleRepo } from "@/test-support/git-fixtures";
import { startGitServer, type GitServer } from "@/test-support/git-server";

// The Review step's check of the tracked ref, against the fixture Git server (real git over smart HTTP).
let server: GitServer;
let sample: SampleRepo;
let privateRepo: SampleRepo;
let dataDir: string;
let refs: typeof import("./ref-check");
const TOKEN = "canary-ref-check-password-71a";

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-ref-check-"));
  Object.assign(process.env, { FLEETLINE_DATA_DIR: dataDir, FLEETLINE_ALLOW_LOCAL_SOURCES: "true", FLEETLINE_SECRET_KEY: "11".repeat(32) });
  server = await startGitServer();
  sample = await createSampleRepo(server, "public-fleet");
  privateRepo = await createSampleRepo(server, "private-fleet", { auth: { username: "fleet-bot", password: TOKEN } });
  refs = await import("./ref-check");
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("checking the ref before a push", () => {
  it("finds an existing branch and tag, and says which branch is missing", async () => {
    expect(await refs.checkRemoteRef({ url: sample.repo.url }, { type: "branch", value: "main" })).toEqual({ status: "ok", sha: sample.commits.bump });
    expect(await refs.checkRemoteRef({ url: sample.repo.url }, { type: "tag", value: "v1.0.0" })).toEqual({ status: "ok", sha: sample.commits.podinfo });
    expect(await refs.checkRemoteRef({ url: sample.repo.url }, { type: "branch", value: "mian" })).toEqual({ status: "missing", message: `branch mian not found in ${sample.repo.url}` });
  });

  it("a missing repository or refused credentials is an error with a clean message, never the password", async () => {
    const missing = await refs.checkRemoteRef({ url: server.url("nope") }, { type: "branch", value: "main" });
    expect(missing.status).toBe("error");
    const refused = await refs.checkRemoteRef({ url: privateRepo.repo.url, auth: { type: "https", username: "fleet-bot", password: "wrong-password" } }, { type: "branch", value: "main" });
    expect(refused.status).toBe("error");
    expect(JSON.stringify(refused)).not.toContain("wrong-password");
    const allowed = await refs.checkRemoteRef({ url: privateRepo.repo.url, auth: { type: "https", username: "fleet-bot", password: TOKEN } }, { type: "branch", value: "main" });
    expect(allowed.status).toBe("ok");
  });
});
