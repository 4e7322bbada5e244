// `npm start`: build the production bundle, then serve it. Migrations run inside the server
// (instrumentation.ts) before it answers its first request.
import { spawnSync, spawn } from "node:child_process";

const run = (args) => spawnSync(process.execPath, [nextBin, ...args], { stdio: "inherit", env: process.env });
const nextBin = new URL("../node_modules/next/dist/bin/next", import.meta.url).pathname;

if (process.env.FLEETLINE_SKIP_BUILD !== "1") {
  const build = run(["build"]);
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// scripts/server.mjs listens on 127.0.0.1 unless HOSTNAME says otherwise (e.g. 0.0.0.0 in a container).
const serverScript = new URL("./server.mjs", import.meta.url).pathname;
const server = spawn(process.execPath, [serverScript], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
