import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WRITER_LOCK } from "@/db/pg/client";
import { onPostgres, useTempDatabase } from "@/test-support/temp-db";

// Hostile suite: another process (a backup tool, a second portal, someone's sqlite3 shell) holds
// the write lock on the real database file. /api/health must say so, and a background loop's
// write must wait off the event loop: better-sqlite3's busy_timeout waits ON the event loop,
// so a 5 s timeout in a loop's write froze every page for 5 s.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let holder: ChildProcess | undefined;

beforeAll(async () => {
  temp = await useTempDatabase();
  process.env.FLEETLINE_SECRET_KEY = "44".repeat(32);
});

afterEach(() => {
  holder?.kill("SIGKILL");
  holder = undefined;
});

afterAll(() => temp?.cleanup());

/**
 * A child holding the write lock until told to let go (or for 30 s at most): BEGIN IMMEDIATE on
 * the SQLite file, or on PostgreSQL a transaction holding the writer lock every Fleetline
 * transaction takes first (db/pg/client.ts).
 */
async function holdWriteLock(): Promise<{ release: () => Promise<void> }> {
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
  const child = spawn(process.execPath, ["-e", source, temp.file], { stdio: ["pipe", "pipe", "inherit"] });
  holder = child;
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return {
    release: async () => {
      child.stdin!.write("go\n");
      await once(child, "exit");
    },
  };
}

describe("a database another process holds locked", () => {
  it("makes /api/health answer 503 with the database state, and ok again once released", async () => {
    const { GET } = await import("@/app/api/health/route");
    const lock = await holdWriteLock();
    const locked = await GET();
    expect(locked.status).toBe(503);
    expect(await locked.json()).toMatchObject({ status: "error", database: "locked" });
    await lock.release();
    const ok = await GET();
    expect([ok.status, await ok.json()]).toMatchObject([200, { status: "ok", database: "ok" }]);
  });

  it("a background loop's write waits off the event loop, and lands once the lock is gone", async () => {
    const { persistCluster } = await import("@/lib/status/persist");
    const lock = await holdWriteLock();
    const order: string[] = [];
    // A page request's share of the event loop: a timer due long before a 5 s busy wait ends.
    const page = new Promise<void>((resolve) => setTimeout(() => (order.push("page"), resolve()), 20));
    const write = Promise.resolve(persistCluster("cluster-a", [], new Map(), [])).then(() => order.push("write"));
    await page;
    expect(order).toEqual(["page"]);
    await lock.release();
    await write;
    expect(order).toEqual(["page", "write"]);
  });
});
