// The server Playwright tests drive: the production build (built here if missing) on 127.0.0.1 only.
// Its output goes to Playwright as before and also to server.log in its data directory, so tests
// can read what the server printed (no secret may ever appear there).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { SERVER_NODE_FLAGS, serverEnv } from "./node-flags.mjs";

const nextBin = new URL("../node_modules/next/dist/bin/next", import.meta.url).pathname;
if (!fs.existsSync(new URL("../.next/BUILD_ID", import.meta.url))) {
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const dataDir = process.env.FLEETLINE_DATA_DIR;
if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
const log = dataDir ? fs.createWriteStream(path.join(dataDir, "server.log"), { flags: "a" }) : null;
const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, new URL("./server.mjs", import.meta.url).pathname], {
  stdio: ["ignore", "pipe", "pipe"],
  env: serverEnv({ ...process.env, NODE_ENV: "production", FLEETLINE_HOST: "127.0.0.1", PORT: process.env.PORT ?? "3000" }),
});
for (const [from, to] of [[server.stdout, process.stdout], [server.stderr, process.stderr]]) {
  from.on("data", (chunk) => {
    to.write(chunk);
    log?.write(chunk);
  });
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => {
  log?.end();
  process.exit(code ?? 0);
});
