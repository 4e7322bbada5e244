import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitServer, type GitServer } from "@/test-support/git-server";
import { craftedYaml } from "./crafted-yaml";

// Hostile suite, hardening case 26: a repository holding the crafted YAML of issue 11, served
// by the fixture git server on loopback, read through the real git client and manifest builder
// in a child process, where an abort of Node is an exit code and not a dead test runner.
let server: GitServer;
let dataDir: string;
let sha: string;
const root = path.resolve(__dirname, "../..");

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-hostile-yaml-"));
  server = await startGitServer();
  const ok = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  namespace: default\ndata:\n  a: \"1\"\n";
  await server.createRepo("crafted", {
    files: {
      "bomb/bomb.yaml": craftedYaml(),
      "bomb/ok.yaml": ok,
      "ignored/bomb.yaml": craftedYaml(),
      "ignored/ok.yaml": ok,
      "ignored/.sourceignore": "bomb.yaml\n",
      "spec-ignored/bomb.yaml": craftedYaml(),
      "spec-ignored/ok.yaml": ok,
    },
  });
  sha = await server.head("crafted");
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type ChildResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/hostile/drift-child.ts", ...args], {
      cwd: root,
      env: { ...process.env, FLEETLINE_DATA_DIR: dataDir, FLEETLINE_ALLOW_LOCAL_SOURCES: "true", FLEETLINE_SECRET_KEY: "22".repeat(32), NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr: stderr.slice(-2000) }));
  });
}

type Round = { files: string[]; built: { ok: boolean; reason?: string; objects?: { metadata: { name: string } }[] } };

describe("a repository holding crafted YAML", () => {
  it("is refused with a reason naming the file and the limit; the process survives, twice", async () => {
    const result = await runChild([server.url("crafted"), sha, "./bomb"]);
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    const rounds = JSON.parse(result.stdout) as Round[];
    expect(rounds).toHaveLength(2);
    for (const round of rounds) {
      expect(round.built.ok).toBe(false);
      expect(round.built.reason).toMatch(/^bomb\/bomb\.yaml: must not nest deeper than \d+ levels/);
    }
  });

  it("honours a .sourceignore file beside the manifests", async () => {
    const result = await runChild([server.url("crafted"), sha, "./ignored"]);
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    const [round] = JSON.parse(result.stdout) as Round[];
    expect(round?.files).toEqual(["ignored/ok.yaml"]);
    expect(round?.built.objects?.map((o) => o.metadata.name)).toEqual(["fine"]);
  });

  it("honours the source's spec.ignore", async () => {
    const result = await runChild([server.url("crafted"), sha, "./spec-ignored", "/spec-ignored/bomb.yaml\n"]);
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    const [round] = JSON.parse(result.stdout) as Round[];
    expect(round?.files).toEqual(["spec-ignored/ok.yaml"]);
    expect(round?.built.ok).toBe(true);
  });
});
