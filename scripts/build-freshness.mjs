// Whether `npm start` must run `next build`: when there is no build yet, or when a file the
// build reads changed after it. Restarting to change an environment variable then costs
// seconds, not a rebuild. Tests (*.test.ts, e2e/, test-support/) never count.
import fs from "node:fs";
import path from "node:path";

/** What the production bundle is built from (relative to the project root). */
export const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "db",
  "public",
  "instrumentation.ts",
  "middleware.ts",
  "proxy.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
];

const isTest = (name) => /\.test\.tsx?$/.test(name);

/** The newest modification time under `entry` (a file or a folder), with the file that has it. */
function newest(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return { mtimeMs: 0, file: null };
  }
  if (!stat.isDirectory()) return { mtimeMs: stat.mtimeMs, file: entry };
  let best = { mtimeMs: 0, file: null };
  for (const child of fs.readdirSync(entry, { withFileTypes: true })) {
    if (child.name === "node_modules" || child.name.startsWith(".") || isTest(child.name)) continue;
    const found = newest(path.join(entry, child.name));
    if (found.mtimeMs > best.mtimeMs) best = found;
  }
  return best;
}

/**
 * { needed, reason }: reason names the first file found newer than the build, so the log says
 * why a start takes minutes.
 */
export function buildNeeded(root, env = process.env) {
  if (env.FLEETLINE_SKIP_BUILD === "1") return { needed: false, reason: "FLEETLINE_SKIP_BUILD=1" };
  if (env.FLEETLINE_FORCE_BUILD === "1") return { needed: true, reason: "FLEETLINE_FORCE_BUILD=1" };
  let builtAt;
  try {
    builtAt = fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs;
  } catch {
    return { needed: true, reason: "no production build yet" };
  }
  for (const input of BUILD_INPUTS) {
    const found = newest(path.join(root, input));
    if (found.mtimeMs > builtAt) return { needed: true, reason: `${path.relative(root, found.file)} changed since the last build` };
  }
  return { needed: false, reason: "the build is up to date with the sources" };
}
