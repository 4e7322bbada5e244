import { backgroundWrite, isBusyError } from "./busy";
import type { Db } from "./client";

/**
 * Background writes that may wait a moment, gathered into one transaction: the observation
 * loop's passes over a fleet at rest each write a few rows (bench:fleet, 2,000 clusters: 66 passes
 * a second, each with a transaction of its own for its health and one for its status rows, whose
 * begin and commit were a fifth of the loop's CPU). Each write runs in a savepoint of its own, so
 * one that throws is undone alone and its caller gets the error; the others commit.
 */

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type Item = { fn: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/** How long a write waits for others to join it. */
const BATCH_WINDOW_MS = 50;

// The writes waiting for the next flush, per connection.
const pending = new WeakMap<Db, Item[]>();

/** Runs `fn` (synchronous database work) within the next batch on `db`; resolves once it is committed. */
export function batchedWrite<T>(db: Db, fn: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let items = pending.get(db);
    if (!items) {
      const batch: Item[] = (items = []);
      pending.set(db, batch);
      setTimeout(() => {
        pending.delete(db);
        void flush(db, batch);
      }, BATCH_WINDOW_MS);
    }
    items.push({ fn, resolve: resolve as (value: unknown) => void, reject });
  });
}

async function flush(db: Db, items: readonly Item[]): Promise<void> {
  let outcomes: Outcome[] = [];
  try {
    // Tried again whole when another process holds the lock: nothing of a failed attempt stays.
    // On PostgreSQL the writes go with the next read or savepoint release (each write's error still
    // reaches its own caller: every write sits in a savepoint of its own).
    await backgroundWrite(
      db,
      () => {
        outcomes = [];
        db.transaction(
          () => {
            for (const item of items) {
              try {
                outcomes.push({ ok: true, value: db.transaction(() => item.fn()) });
              } catch (error) {
                if (isBusyError(error)) throw error;
                outcomes.push({ ok: false, error });
              }
            }
          },
          { behavior: "immediate" },
        );
      },
      { deferWrites: true },
    );
  } catch (error) {
    for (const item of items) item.reject(error);
    return;
  }
  items.forEach((item, index) => {
    const outcome = outcomes[index]!;
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}
