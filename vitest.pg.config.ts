import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import integration from "./vitest.integration.config";

// The suites that touch the database (they call test-support/temp-db.ts useTempDatabase), run
// again on a real PostgreSQL server: one throwaway server for the run, a database per test file.
const root = fileURLToPath(new URL(".", import.meta.url));

const SQLITE_ONLY = [
  // Runs both databases itself.
  "db/sql-dialect.test.ts",
  // Counts a pass's writes with SQLite's own counter, total_changes().
  "lib/status/persist.int.test.ts",
];

function databaseTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...databaseTests(rel));
    else if (entry.name.endsWith(".test.ts") && !SQLITE_ONLY.includes(rel) && /useTempDatabase|fleet-fixture/.test(fs.readFileSync(path.join(root, rel), "utf8"))) found.push(rel);
  }
  return found;
}

// `npm test` runs every unit file that touches the database and the integration files whose
// subject is what the database does (replicas, leases, locks, the rollout coordinator, the
// outbox, the API, compliance, key rotation); FLEETLINE_PG_SUITE=all (`npm run test:postgres:all`)
// runs every integration file too (README, Tests: how long each takes).
const INTEGRATION_ON_EVERY_RUN = [
  "lib/server/replicas.int.test.ts",
  "lib/hostile/locked-database.int.test.ts",
  "lib/push/coordinator.int.test.ts",
  "lib/notify/notify.int.test.ts",
  "lib/push/notifications.int.test.ts",
  "lib/api/api.int.test.ts",
  "lib/compliance/compliance.int.test.ts",
  "lib/crypto/rotate.int.test.ts",
  "lib/configurations/configurations.int.test.ts",
  // The loop's writes for clusters at rest: one statement for many clusters (IN lists, CASE).
  "lib/observe/rest.int.test.ts",
];
const everyRun = (file: string) => !file.endsWith(".int.test.ts") || INTEGRATION_ON_EVERY_RUN.includes(file);

// Spread, not mergeConfig: merging would add the integration config's include globs to this list.
export default defineConfig({
  ...integration,
  test: {
    ...integration.test,
    include: ["lib", "app", "db", "components", "scripts"].flatMap(databaseTests).filter((f) => process.env.FLEETLINE_PG_SUITE === "all" || everyRun(f)),
    globalSetup: ["./test-support/pg-global.ts"],
    env: { FLEETLINE_TEST_DB: "postgres" },
  },
});
