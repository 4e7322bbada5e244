import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "./node-flags.mjs";

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
    // Two semi-spaces of at most 4 MiB each.
    expect(bounded.newSpaceMaxMib).toBeLessThanOrEqual(8);
    expect(unbounded.newSpaceMaxMib).toBeGreaterThan(bounded.newSpaceMaxMib);
  });
});
