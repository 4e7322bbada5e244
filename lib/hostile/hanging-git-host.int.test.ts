import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Hostile suite: a git host that accepts connections and never answers (a loopback TCP black
// hole). The fetch must time out AND leave nothing behind: git's own helper processes
// (git-remote-http) used to outlive the killed git, one more per attempt, each holding a socket.
let dataDir: string;
let git: typeof import("@/lib/git/repository");
let blackhole: net.Server;
let port: number;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-hostile-git-"));
  Object.assign(process.env, { FLEETLINE_DATA_DIR: dataDir, FLEETLINE_ALLOW_LOCAL_SOURCES: "true", FLEETLINE_SECRET_KEY: "33".repeat(32) });
  blackhole = net.createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
  port = (blackhole.address() as net.AddressInfo).port;
  git = await import("@/lib/git/repository");
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Live (not zombie) processes whose command line names the black hole. */
function processesFor(needle: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      const state = /\) (\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
      if (cmdline.includes(needle) && state !== "Z") found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe("a git host that never answers", () => {
  it("times out and leaves no git process of that fetch behind, attempt after attempt", async () => {
    const url = `http://127.0.0.1:${port}/fleet.git`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const state = await git.openRepository({ url }, { networkTimeoutMs: 1500 }).refresh({ force: true });
      expect(state.error?.kind).toBe("timeout");
      // A signal takes a moment to land; give the process group that moment, no more.
      for (let i = 0; i < 20 && processesFor(`127.0.0.1:${port}`).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(processesFor(`127.0.0.1:${port}`)).toEqual([]);
    }
    // And no half-cloned folder is left in the cache.
    const cache = path.join(dataDir, "git-cache");
    expect(fs.existsSync(cache) ? fs.readdirSync(cache).filter((name) => name.includes(".tmp-")) : []).toEqual([]);
  });

  it("half-made clones a killed server left behind are removed at boot", () => {
    const cache = path.join(dataDir, "git-cache");
    const stale = path.join(cache, `${"ab".repeat(16)}.git.tmp-0d6f4a52-8a7e-4d2c-9d0e-1f2a3b4c5d6e`);
    const kept = path.join(cache, `${"cd".repeat(16)}.git`);
    for (const dir of [stale, kept]) fs.mkdirSync(path.join(dir, "objects"), { recursive: true });
    expect(git.removeHalfClones()).toBe(1);
    expect([fs.existsSync(stale), fs.existsSync(kept)]).toEqual([false, true]);
  });
});
