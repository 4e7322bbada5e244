import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_ENV, SERVER_NODE_FLAGS, serverEnv } from "./node-flags.mjs";

const root = path.resolve(__dirname, "..");

/** What a node process started with `flags` reports of its heap's configuration. */
function heapOf(flags: readonly string[]): { newSpaceMaxMib: number } {
  const script = `const v8 = require("node:v8");
const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
// Fill the young generation so it grows to its cap.
let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 2e5) keep = []; }
const grown = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
console.log(JSON.stringify({ newSpaceMaxMib: Math.max(young.space_size, grown.space_size) / 1048576 }));`;
  const run = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`node ${flags.join(" ")} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { newSpaceMaxMib: number };
}

describe("the server's node flags", () => {
  it("are the ones the container image's CMD starts the server with", () => {
    const dockerfile = fs.readFileSync(path.join(root, "Dockerfile"), "utf8");
    const cmd = dockerfile.split("\n").find((line) => line.startsWith("CMD "));
    expect(JSON.parse(cmd!.slice("CMD ".length))).toEqual(["node", ...SERVER_NODE_FLAGS, "scripts/server.mjs"]);
  });

  // node exits with "bad option" on a flag it does not know; --heap-growing-percent's effect (a
  // limit recomputed after each full collection) is measured by bench:fleet's rss_mib, not here.
  it("are accepted by this node, and cap the young generation below V8's default", { timeout: 60_000 }, () => {
    const bounded = heapOf(SERVER_NODE_FLAGS);
    const unbounded = heapOf([]);
    // Two semi-spaces of at most 2 MiB each.
    expect(bounded.newSpaceMaxMib).toBeLessThanOrEqual(4);
    expect(unbounded.newSpaceMaxMib).toBeGreaterThan(bounded.newSpaceMaxMib);
  });
});

/** How much the main heap ([heap], glibc's brk arena) grows while a node process started with `env` holds `count` ArrayBuffers of `kib` KiB. */
function mainHeapGrowthMib(env: NodeJS.ProcessEnv, count: number, kib: number): number {
  const script = `const fs = require("node:fs");
const heapKib = () => {
  const block = fs.readFileSync("/proc/self/smaps", "utf8").split(/\\n(?=[0-9a-f]+-[0-9a-f]+ )/).find((b) => b.split("\\n")[0].endsWith("[heap]"));
  return block ? Number(/\\nSize:\\s+(\\d+) kB/.exec(block)[1]) : 0;
};
const before = heapKib();
const keep = [];
for (let i = 0; i < ${count}; i++) keep.push(new ArrayBuffer(${kib} * 1024));
console.log(String((heapKib() - before) / 1024));`;
  const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`node failed: ${run.stderr}`);
  return Number(run.stdout);
}

describe("the server's environment", () => {
  it("is the one the container image sets", () => {
    const dockerfile = fs.readFileSync(path.join(root, "Dockerfile"), "utf8");
    const set = new Map(dockerfile.split("\n").filter((line) => line.startsWith("ENV ")).flatMap((line) => line.slice(4).trim().split(/\s+/).map((pair) => pair.split("=", 2) as [string, string])));
    for (const [name, value] of Object.entries(SERVER_ENV)) expect(set.get(name), name).toBe(value);
  });

  it("keeps a value the operator set", () => {
    expect(serverEnv({ MALLOC_MMAP_THRESHOLD_: "131072", PORT: "3000" })).toEqual({ MALLOC_MMAP_THRESHOLD_: "131072", PORT: "3000" });
    expect(serverEnv({ PORT: "3000" })).toEqual({ ...SERVER_ENV, PORT: "3000" });
  });

  // Node's TLS keeps a 64 KiB input buffer per connection, nghttp2 a 16 KiB frame buffer per
  // session, OpenSSL its record buffers: on the main heap each counts whole.
  it("puts allocations of 64 KiB and of 16 KiB on pages of their own, not on glibc's main heap", { timeout: 60_000 }, () => {
    const without = { ...process.env };
    delete without.MALLOC_MMAP_THRESHOLD_;
    expect(mainHeapGrowthMib(without, 500, 64)).toBeGreaterThan(25);
    expect(mainHeapGrowthMib(serverEnv(without), 500, 64)).toBeLessThan(4);
    // 2,000 of 16 KiB: 31 MiB on the main heap without, 9 with (what V8 keeps beside each buffer).
    const small = mainHeapGrowthMib(without, 2000, 16);
    expect(small).toBeGreaterThan(25);
    expect(mainHeapGrowthMib(serverEnv(without), 2000, 16)).toBeLessThan(small / 2);
  });
});
