import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { WRITER_LOCK } from "@/db/pg/client";
import { onPostgres } from "./temp-db";

export type WriteLock = { release(): Promise<void>; kill(): void };

/**
 * Another process holding the database's write lock until released (or for 30 s at most): BEGIN
 * IMMEDIATE on the SQLite file, or on PostgreSQL a transaction holding the writer lock every
 * Fleetline transaction takes first (db/pg/client.ts). What a backup tool, a second portal or
 * someone's sqlite3 shell does to the portal.
 */
export async function holdWriteLock(database: string): Promise<WriteLock> {
  const source = onPostgres()
    ? `
    const pg = require("pg");
    const db = new pg.Client(process.argv[1]);
    (async () => {
      await db.connect();
      await db.query("BEGIN");
      await db.query("select pg_advisory_xact_lock(${WRITER_LOCK})");
      process.stdout.write("locked\\n");
    })();
    const end = async () => { await db.query("ROLLBACK"); await db.end(); process.exit(0); };
    process.stdin.on("data", end);
    setTimeout(end, 30000);
  `
    : `
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1]);
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    const end = () => { db.exec("ROLLBACK"); db.close(); process.exit(0); };
    process.stdin.on("data", end);
    setTimeout(end, 30000);
  `;
  const child: ChildProcess = spawn(process.execPath, ["-e", source, database], { stdio: ["pipe", "pipe", "inherit"] });
  // A holder that has already let go (its 30 s are up) closed its stdin: nothing to tell it then.
  child.stdin!.on("error", () => undefined);
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return {
    release: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.write("go\n");
      await once(child, "exit");
    },
    kill: () => void child.kill("SIGKILL"),
  };
}
