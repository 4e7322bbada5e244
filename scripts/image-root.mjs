// `node scripts/image-root.mjs <dir>`: lays out what the container image runs, from a finished
// `next build` (output: "standalone"), in <dir>. The Dockerfile copies <dir> to /app; the
// standalone test (e2e/19-standalone.spec.ts) serves the same layout from a temporary folder.
//
// Picked, not copied wholesale: Next's tracer takes the whole project for a possible read (paths
// built from process.cwd()), so .next/standalone also holds sources and tests the server never
// reads. What runs: the traced node_modules, the server build, the static assets, public/, the
// migrations (read by path at start) and Fleetline's own server (scripts/server.mjs, which gives
// each request its TCP peer's address; Next's generated server.js does not).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = process.argv[2];
if (!target) {
  console.error("usage: node scripts/image-root.mjs <target directory>");
  process.exit(2);
}
const standalone = path.join(root, ".next", "standalone");
if (!fs.existsSync(path.join(standalone, ".next", "BUILD_ID"))) {
  console.error("no standalone build: run `npx next build` first (next.config.ts sets output: \"standalone\")");
  process.exit(1);
}

const copies = [
  [path.join(standalone, "node_modules"), "node_modules"],
  [path.join(standalone, ".next"), ".next"],
  [path.join(standalone, "package.json"), "package.json"],
  [path.join(root, ".next", "static"), ".next/static"],
  [path.join(root, "public"), "public"],
  [path.join(root, "db", "migrations"), "db/migrations"],
  [path.join(root, "db", "migrations-pg"), "db/migrations-pg"],
  // PostgreSQL's connection thread (db/pg/client.ts starts it by path).
  [path.join(root, "db", "pg", "worker.mjs"), "db/pg/worker.mjs"],
  [path.join(root, "scripts", "server.mjs"), "scripts/server.mjs"],
  [path.join(root, "scripts", "listen-address.mjs"), "scripts/listen-address.mjs"],
];
fs.rmSync(target, { recursive: true, force: true });
for (const [from, to] of copies) {
  // verbatimSymlinks: the build links serverExternalPackages into .next/node_modules relatively.
  fs.cpSync(from, path.join(target, to), { recursive: true, verbatimSymlinks: true });
}
// Next writes its caches here at run time; in the image it is a mounted emptyDir.
fs.rmSync(path.join(target, ".next", "cache"), { recursive: true, force: true });
console.log(`image root laid out in ${target}`);
