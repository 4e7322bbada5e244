import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Points this test process at a fresh SQLite file (and a fresh data dir) and migrates it.
 * Call before anything reads the environment; each vitest file runs in its own module graph.
 */
export async function useTempDatabase() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-db-"));
  process.env.DATABASE_URL = path.join(dir, "fleetline.db");
  process.env.FLEETLINE_DATA_DIR = dir;
  const { getDb } = await import("@/db");
  const { migrateDatabase } = await import("@/db/client");
  const db = getDb();
  migrateDatabase(db);
  return { db, dir, file: process.env.DATABASE_URL, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
