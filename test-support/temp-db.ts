import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { createDatabase } from "./pg-server";

/** True when the suite runs on PostgreSQL (vitest.pg.config.ts), not on SQLite files. */
export const onPostgres = (): boolean => process.env.FLEETLINE_TEST_DB === "postgres";

/**
 * Points this test process at a fresh database (and a fresh data dir) and migrates it: a SQLite
 * file, or under vitest.pg.config.ts a new database on the run's throwaway PostgreSQL server.
 * Call before anything reads the environment; each vitest file runs in its own module graph.
 */
export async function useTempDatabase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-db-"));
  process.env.DATABASE_URL = onPostgres() ? await createDatabase(inject("pgAdminUrl")) : path.join(dir, "fleetline.db");
  process.env.FLEETLINE_DATA_DIR = dir;
  const { getDb } = await import("@/db");
  const { migrateDatabase } = await import("@/db/client");
  const db = getDb();
  migrateDatabase(db);
  const file = process.env.DATABASE_URL;
  return {
    db,
    dir,
    file,
    /**
     * Everything the database holds, as text, for tests that a secret is not stored in the clear:
     * the SQLite file and its WAL as they are on disk, or every PostgreSQL row as text.
     */
    storedText(): string {
      if (!onPostgres()) {
        return [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString("latin1")).join("");
      }
      // The connection of now: a test that restarts the server opened another.
      const client = getDb().$client;
      const tables = client.prepare("select tablename from pg_tables where schemaname = 'public'").pluck().all() as string[];
      return tables.map((t) => (client.prepare(`select t::text from "${t}" t`).pluck().all() as string[]).join("\n")).join("\n");
    },
    /** Takes the newest migration out of the journal: the database as an older build left it. */
    forgetLastMigration(): void {
      getDb().$client
        .prepare(
          onPostgres()
            ? "delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)"
            : "delete from __drizzle_migrations where rowid = (select max(rowid) from __drizzle_migrations)",
        )
        .run();
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
