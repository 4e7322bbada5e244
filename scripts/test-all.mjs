// `npm test`: every check the project has, in order, stopping at the first failure:
// typecheck, lint, unit tests, integration tests (real kube-apiservers), the database suites again on a
// real PostgreSQL server, production build, e2e (Chromium).
import { spawn } from "node:child_process";

const STEPS = [
  ["typecheck", ["run", "typecheck"]],
  ["lint", ["run", "lint"]],
  ["unit", ["run", "test:unit"]],
  ["integration", ["run", "test:integration"]],
  ["postgres", ["run", "test:postgres"]],
  ["build", ["run", "build"]],
  ["e2e", ["run", "test:e2e"]],
];

const totals = { passed: 0, failed: 0, skipped: 0 };

// Kept in step with e2e/support.ts: the passwords the browser tests type.
const CANARIES = ["admin-Pa55word-e2e", "viewer-Pa55word-e2e", "operator-Pa55word-e2e", "approver-Pa55word-e2e", "template-password-1"];

function count(output) {
  // vitest: "      Tests  62 passed (62)" or "Tests  1 failed | 61 passed (62)", once per run (a step may
  // make several: scripts/vitest-alone.mjs); playwright: "  7 passed (25.9s)"
  const vitest = [...output.matchAll(/^\s*Tests\s+(.+)$/gm)].map((m) => m[1]);
  const line = vitest.length > 0 ? vitest.join(" ") : output.match(/^\s*\d+ (passed|failed).*$/gm)?.join(" ") ?? "";
  for (const key of Object.keys(totals)) {
    for (const m of line.matchAll(new RegExp(`(\\d+) ${key}`, "g"))) totals[key] += Number(m[1]);
  }
}

function run(name, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${name}: npm ${args.join(" ")}`);
    const child = spawn("npm", args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      output += chunk.toString();
    });
    child.on("exit", (code) => {
      if (["unit", "integration", "postgres", "e2e"].includes(name)) count(output.replace(/\x1b\[[0-9;]*m/g, ""));
      // The browser tests type these passwords; the server's logs (printed as [WebServer]) must never show them.
      const leaked = name === "e2e" ? CANARIES.filter((canary) => output.includes(canary)) : [];
      if (leaked.length > 0) {
        console.log(`=== e2e: a password the tests typed appears in the output (${leaked.length} of ${CANARIES.length}): secrets leaked into logs`);
        code = 1;
      }
      console.log(`=== ${name}: ${code === 0 ? "ok" : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      resolve(code ?? 1);
    });
  });
}

let exitCode = 0;
for (const [name, args] of STEPS) {
  exitCode = await run(name, args);
  if (exitCode !== 0) break;
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ""}`);
process.exit(exitCode);
