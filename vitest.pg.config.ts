import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mergeConfig } from "vitest/config";
import integration from "./vitest.integration.config";

// The suites that touch the database (they call test-support/temp-db.ts useTempDatabase), run
// again on a real PostgreSQL server: one throwaway server for the run, a database per test file.
const root = fileURLToPath(new URL(".", import.meta.url));

function databaseTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...databaseTests(rel));
    // db/sql-dialect.test.ts runs both databases itself.
    else if (entry.name.endsWith(".test.ts") && rel !== path.join("db", "sql-dialect.test.ts") && /useTempDatabase|fleet-fixture/.test(fs.readFileSync(path.join(root, rel), "utf8"))) found.push(rel);
  }
  return found;
}

export default mergeConfig(integration, {
  test: {
    include: ["lib", "app", "db", "components", "scripts"].flatMap(databaseTests),
    globalSetup: ["./test-support/pg-global.ts"],
    env: { FLEETLINE_TEST_DB: "postgres" },
  },
});
