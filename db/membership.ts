import { drizzle } from "drizzle-orm/better-sqlite3";
import { env } from "@/lib/env";
import { databasePath, openSqliteFile, type Db } from "./client";
import { dialectOf } from "./dialect";
import { getDb } from "./index";

/**
 * Where the replicas' heartbeats live. On SQLite, a small file of their own beside the database
 * (`<file>.replicas`): SQLite has one write lock per file, and a heartbeat in the main file waited
 * behind the other replicas' observation writes. With two replicas at 2,000 clusters on one file,
 * a heartbeat failed for longer than the TTL during a fleet-wide change (ten-millisecond attempts
 * never found the lock free), so the others counted the replica dead, took its clusters and gave
 * them back: 93 s to refresh the fleet instead of 9. In its own file a heartbeat waits only for
 * the other heartbeats (a millisecond each). On PostgreSQL the heartbeat's statements take a row
 * lock, not the writer lock (db/pg/client.ts), so the table stays in the main database there.
 * The rows say who is alive, nothing worth a backup: a restore without the file starts with none,
 * and the replicas' first heartbeats write theirs. (Removed while replicas run, it splits them: the
 * running ones keep the old file open, a new one creates another. Do not.)
 */

// The table as migration 0022 creates it in the main database (db/schema-replicas.ts); a test
// compares the two.
const REPLICAS_DDL = `
  CREATE TABLE IF NOT EXISTS replicas (
    id text PRIMARY KEY NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    instance text NOT NULL,
    started_at integer NOT NULL,
    heartbeat_at integer NOT NULL
  );
  CREATE INDEX IF NOT EXISTS replicas_heartbeat_idx ON replicas (heartbeat_at);
`;

/** The side file of a SQLite database at `file`. */
export const membershipFile = (file: string): string => `${file}.replicas`;

/** Opens (creating when missing) the membership database that goes with DATABASE_URL `url`. */
export function openMembershipDatabase(url: string): Db {
  const sqlite = openSqliteFile(membershipFile(databasePath(url)));
  sqlite.exec(REPLICAS_DDL);
  // Typed as the main database: db/schema-replicas.ts's table is the one queried, the others are absent.
  return drizzle(sqlite) as unknown as Db;
}

const globalForMembership = globalThis as unknown as { fleetlineMembershipDb?: Db };

/** This process's membership database: the side file on SQLite, the main database on PostgreSQL. */
export function getMembershipDb(): Db {
  const url = env().DATABASE_URL;
  if (dialectOf(url) === "postgres") return getDb();
  globalForMembership.fleetlineMembershipDb ??= openMembershipDatabase(url);
  return globalForMembership.fleetlineMembershipDb;
}
