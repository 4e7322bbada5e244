// The server Playwright tests drive: the production build (built here if missing) on 127.0.0.1 only.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";

const nextBin = new URL("../node_modules/next/dist/bin/next", import.meta.url).pathname;
if (!fs.existsSync(new URL("../.next/BUILD_ID", import.meta.url))) {
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const server = spawn(process.execPath, [new URL("./server.mjs", import.meta.url).pathname], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production", HOSTNAME: "127.0.0.1", PORT: process.env.PORT ?? "3000" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
