// `npm start`: build the production bundle when the sources changed since the last build (or
// there is none), then serve it. Migrations run inside the server (instrumentation.ts) before it
// answers its first request. FLEETLINE_SKIP_BUILD=1 serves the existing build as it is;
// FLEETLINE_FORCE_BUILD=1 always builds.
import { spawnSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildNeeded } from "./build-freshness.mjs";
import { SERVER_NODE_FLAGS, serverEnv } from "./node-flags.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const nextBin = new URL("../node_modules/next/dist/bin/next", import.meta.url).pathname;
const run = (args) => spawnSync(process.execPath, [nextBin, ...args], { stdio: "inherit", env: process.env });

const verdict = buildNeeded(root);
if (verdict.needed) {
  console.log(`fleetline: building (${verdict.reason}); this takes a few minutes on two cores.`);
  const build = run(["build"]);
  if (build.status !== 0) process.exit(build.status ?? 1);
} else {
  console.log(`fleetline: serving the existing build (${verdict.reason}).`);
}

// scripts/server.mjs listens on 127.0.0.1 unless FLEETLINE_HOST says otherwise (e.g. 0.0.0.0 in a container).
const serverScript = new URL("./server.mjs", import.meta.url).pathname;
const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, serverScript], { stdio: "inherit", env: serverEnv({ ...process.env, NODE_ENV: "production" }) });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
