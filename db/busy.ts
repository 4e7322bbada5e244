import type { Db } from "./client";

/**
 * SQLite lock contention without freezing the server (hardening case 15, issue 11 item 4).
 * better-sqlite3 is synchronous: its busy_timeout waits ON the event loop, so while another
 * process holds the write lock, a 5 s wait in a background loop's write held every page for
 * 5 s. Background writes therefore try with a busy timeout of a few milliseconds and, when
 * the database is busy, retry after an asynchronous pause, with the event loop free.
 */

/** The connection's normal wait, for writes a user is waiting on. */
export const PAGE_BUSY_TIMEOUT_MS = 5000;
/** What a background write may hold the event loop for on one attempt. */
export const BACKGROUND_BUSY_TIMEOUT_MS = 10;

export class DatabaseBusyError extends Error {
  constructor() {
    super("the database stayed locked by another process");
    this.name = "DatabaseBusyError";
  }
}

// PostgreSQL (db/pg/client.ts): a lock wait lock_timeout ended, a serialization failure, a deadlock.
const PG_BUSY = new Set(["55P03", "40001", "40P01"]);

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || PG_BUSY.has(code));
}

// The two busy-timeout statements, prepared once per connection: the loop sets them around every background write.
const busyStatements = new WeakMap<Db["$client"], Map<number, { run(): unknown }>>();

function setBusyTimeout(db: Db, ms: number): void {
  let byMs = busyStatements.get(db.$client);
  if (!byMs) busyStatements.set(db.$client, (byMs = new Map()));
  let statement = byMs.get(ms);
  if (!statement) byMs.set(ms, (statement = db.$client.prepare(`PRAGMA busy_timeout = ${Math.trunc(ms)}`)));
  statement.run();
}

/** Runs `fn` (synchronous database work) with the connection's busy timeout set to `ms`. */
function withBusyTimeout<T>(db: Db, ms: number, fn: () => T): T {
  setBusyTimeout(db, ms);
  try {
    return fn();
  } finally {
    setBusyTimeout(db, PAGE_BUSY_TIMEOUT_MS);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * On PostgreSQL, `fn`'s writes are sent with its next read, savepoint release or commit, as one
 * round trip (db/pg/client.ts deferWrites): a write's error is thrown there, not where it was
 * written, so `fn` must not catch one write's error and go on (nothing written in the loop's
 * persistence does; a write whose error its caller must see alone sits in a savepoint, as each of
 * db/batch.ts's does). SQLite runs `fn` as it is.
 */
function pipelined<T>(db: Db, fn: () => T): T {
  const client = db.$client as unknown as { deferWrites?: <R>(work: () => R) => R };
  return typeof client.deferWrites === "function" ? client.deferWrites(fn) : fn();
}

/**
 * A background loop's write: short attempts, and between them a pause that lets pages run
 * (50 ms doubling to 2 s, for up to `budgetMs`); then DatabaseBusyError, and the loop's next
 * sweep tries again. `deferWrites`: its writes go to PostgreSQL in as few round trips as its
 * reads allow (see pipelined).
 */
export async function backgroundWrite<T>(db: Db, fn: () => T, { budgetMs = 60_000, deferWrites = false } = {}): Promise<T> {
  const giveUpAt = Date.now() + budgetMs;
  const work = deferWrites ? () => pipelined(db, fn) : fn;
  for (let pause = 50; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return withBusyTimeout(db, BACKGROUND_BUSY_TIMEOUT_MS, work);
    } catch (error) {
      if (!isBusyError(error)) throw error;
      if (Date.now() + pause > giveUpAt) throw new DatabaseBusyError();
    }
    await sleep(pause);
  }
}

export type DatabaseState = "ok" | "locked" | "unavailable";

/**
 * For /api/health: can the database be read, and could a write start now? The write probe
 * takes the write lock for an instant (BEGIN IMMEDIATE, ROLLBACK) with a short busy timeout.
 */
export function probeDatabase(db: Db, timeoutMs = 100): DatabaseState {
  try {
    db.$client.prepare("select 1").get();
  } catch {
    return "unavailable";
  }
  if (db.$client.inTransaction) return "ok";
  try {
    withBusyTimeout(db, timeoutMs, () => {
      db.$client.exec("BEGIN IMMEDIATE");
      db.$client.exec("ROLLBACK");
    });
    return "ok";
  } catch (error) {
    return isBusyError(error) ? "locked" : "unavailable";
  }
}
