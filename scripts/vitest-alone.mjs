// `npm run test:integration` and `npm run test:postgres`: the config's files in one vitest run (two
// at a time), then each file of ALONE in a run of its own. Those assert how fast something happens
// on this machine (the SIGKILL takeover: every cluster observed again within 30 s), and beside a file
// that boots its own API servers they measure the neighbour's load as much as the portal (a fresh-clone CI run
// on PostgreSQL: the survivor saw the other replica gone 15.2 s after the kill, not 10, and had 180
// of 200 clusters at 30.1 s). With arguments (a file filter, a vitest flag), one plain run.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const ALONE = ["lib/server/replicas.int.test.ts"];

const [config, ...args] = process.argv.slice(2);
if (!config) {
  console.error("usage: node scripts/vitest-alone.mjs <vitest config> [vitest arguments]");
  process.exit(2);
}
const bin = path.join(path.dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
const vitest = (extra) => spawnSync(process.execPath, [bin, "run", "--config", config, ...extra], { stdio: "inherit", env: process.env }).status ?? 1;

if (args.length > 0) process.exit(vitest(args));
let status = vitest(ALONE.flatMap((file) => ["--exclude", file]));
for (const file of ALONE) if (status === 0) status = vitest([file]);
process.exit(status);
