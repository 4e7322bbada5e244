import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { PAGE_BUSY_TIMEOUT_MS } from "./busy";
import { dialectOf } from "./dialect";
import { PostgresSyncClient } from "./pg/client";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");
/** PostgreSQL's migrations: drizzle-kit generates them from the same schema (drizzle.pg.config.ts). */
export const PG_MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations-pg");

// By its mark, not instanceof: Next may load this module in more than one chunk, each with its own class.
const isPostgres = (db: Db): boolean => (db.$client as unknown as { dialect?: string }).dialect === "postgres";

/** Accepts a plain path or a `file:` URL, as DATABASE_URL may be written either way. */
export function databasePath(url: string): string {
  const withoutScheme = url.startsWith("file:") ? url.slice("file:".length) : url;
  return path.resolve(withoutScheme);
}

export function openDatabase(url: string): Db {
  if (dialectOf(url) === "postgres") {
    // The same drizzle driver and queries; db/pg/client.ts runs them on PostgreSQL.
    const client = new PostgresSyncClient(url);
    // As SQLite's busy_timeout: a lock another connection holds is waited for 5 s, not forever.
    client.pragma(`busy_timeout = ${PAGE_BUSY_TIMEOUT_MS}`);
    return drizzle(client as unknown as Database.Database, { schema }) as Db;
  }
  const sqlite = openSqliteFile(databasePath(url));
  sqlite.pragma("foreign_keys = ON");
  return drizzle(sqlite, { schema }) as Db;
}

/** A SQLite file (and its folder) opened as every Fleetline database file is: WAL, the page busy timeout. */
export function openSqliteFile(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets readers proceed during a write; busy_timeout turns lock contention into a short wait,
  // not an error (background loops wait asynchronously instead: db/busy.ts).
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`busy_timeout = ${PAGE_BUSY_TIMEOUT_MS}`);
  sqlite.pragma("synchronous = NORMAL");
  return sqlite;
}

export function migrateDatabase(db: Db): void {
  if (isPostgres(db)) (db.$client as unknown as PostgresSyncClient).migrate(PG_MIGRATIONS_FOLDER);
  else migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * How many of the committed migrations the database has not applied (readiness: a replica
 * started from a newer build against an older database is not ready until it has migrated).
 */
export function pendingMigrations(db: Db): number {
  const postgres = isPostgres(db);
  const folder = postgres ? PG_MIGRATIONS_FOLDER : MIGRATIONS_FOLDER;
  const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
  // drizzle keeps its journal table in the `drizzle` schema on PostgreSQL.
  const table = postgres ? "drizzle.__drizzle_migrations" : "__drizzle_migrations";
  const hasTable = postgres
    ? db.$client.prepare("select to_regclass('drizzle.__drizzle_migrations') is not null as found").pluck().get() === 1
    : Boolean(db.$client.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get());
  const applied = hasTable ? (db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n : 0;
  return Math.max(0, journal.entries.length - applied);
}
