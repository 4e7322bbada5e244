// cluster:up as a newcomer runs it: the real script in a child process, real API server and
// git server; --argo means Argo CD only, the sample repository takes a push, and Ctrl-C, even
// during the start, leaves nothing behind (etcd's data folder in shared memory included).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseClusterUpArgs } from "./cluster-up-args";
import { git } from "../git-cli";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "test-support/cli/cluster-up.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const shm = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
const etcdDirsOf = (name: string) => fs.readdirSync(shm).filter((d) => d.startsWith(`fleetline-etcd-${name}-`));
const tmpDirsOf = (name: string) => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith(`fleetline-${name}-`));

describe("cluster:up options", () => {
  it("--argo means Argo CD only; --flux --argo both; the default Flux", () => {
    expect(parseClusterUpArgs(["--argo"])).toMatchObject({ flux: false, argo: true });
    expect(parseClusterUpArgs(["--flux", "--argo"])).toMatchObject({ flux: true, argo: true });
    expect(parseClusterUpArgs([])).toMatchObject({ flux: true, argo: false });
    expect(parseClusterUpArgs(["--no-flux"])).toMatchObject({ flux: false, argo: false });
    expect(parseClusterUpArgs(["--flux", "--no-flux"])).toBeNull();
    expect(parseClusterUpArgs(["--bogus"])).toBeNull();
  });
});

describe("cluster:up", () => {
  it("--argo starts Argo CD only, prints a URL that accepts pushes, and Ctrl-C removes everything", async () => {
    const name = `cu${process.pid}`;
    const run = start(["--argo", "--name", name]);
    await until("the cluster", () => (/is up/.test(run.output()) ? true : undefined));
    const output = run.output();
    expect(output).toMatch(/Flux: +not installed/);
    expect(output).toMatch(/Argo CD: CRDs \+ stand-in/);
    const etcdDir = /etcd data (\S+)/.exec(output)?.[1];
    expect(etcdDir && fs.existsSync(etcdDir)).toBe(true);
    const repoUrl = /sample repo: +(\S+)/.exec(output)?.[1];
    expect(output).toContain(`git clone -q ${repoUrl}`);
    expect(output).toContain("git push -q origin HEAD:main");

    // The printed URL takes a push: a newcomer can make "behind by 1" happen.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-up-test-"));
    try {
      await git(["clone", "-q", repoUrl!, work]);
      fs.appendFileSync(path.join(work, "README.md"), "\nA change\n");
      await git(["commit", "-qam", "Try a change"], { cwd: work });
      await git(["push", "-q", "origin", "HEAD:main"], { cwd: work });
      const remote = await git(["ls-remote", repoUrl!, "refs/heads/main"]);
      expect(remote.split("\t")[0]).toBe((await git(["rev-parse", "HEAD"], { cwd: work })).trim());
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(fs.existsSync(etcdDir!)).toBe(false);
    expect(etcdDirsOf(name)).toEqual([]);
    expect(tmpDirsOf(name)).toEqual([]);
  });

  it("Ctrl-C during the start, and a second Ctrl-C right after, still remove etcd's data", async () => {
    const name = `cv${process.pid}`;
    const run = start(["--name", name]);
    // etcd's folder exists as soon as the start is under way.
    await until("etcd's data folder", () => (etcdDirsOf(name).length > 0 ? true : undefined));
    run.child.kill("SIGINT");
    run.child.kill("SIGINT");
    await run.exited;
    expect(etcdDirsOf(name)).toEqual([]);
    expect(tmpDirsOf(name)).toEqual([]);
  });
});
