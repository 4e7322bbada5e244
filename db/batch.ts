import { setImmediate as nextTurn } from "node:timers/promises";
import { backgroundWrite, isBusyError } from "./busy";
import type { Db } from "./client";

/**
 * Background writes that may wait a moment, gathered into one transaction (a few in turn when
 * they take longer than TURN_BUDGET_MS): the observation loop's passes over a fleet at rest each
 * write a few rows (bench:fleet, 2,000 clusters: 66 passes a second, each with a transaction of
 * its own for its health and one for its status rows, whose begin and commit were a fifth of the
 * loop's CPU). Each write runs in a savepoint of its own, so one that throws is undone alone and
 * its caller gets the error; the others commit.
 */

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type Item = { fn: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/** How long a write waits for others to join it. */
const BATCH_WINDOW_MS = 50;
/**
 * How long one transaction of a batch may hold the event loop: past it (after at least one write),
 * the transaction commits and the rest of the batch waits for the next turn. A fleet-wide change
 * queues the refreshes of every cluster that saw it, each working out its rows inside its write,
 * and nothing bounded how long one flush held the event loop.
 */
const TURN_BUDGET_MS = 50;

// The writes waiting for the next flush, per connection.
const pending = new WeakMap<Db, Item[]>();
// The last flush started, per connection: the next one starts after it, so batches commit in order.
const flushing = new WeakMap<Db, Promise<void>>();

/** Runs `fn` (synchronous database work) within the next batch on `db`; resolves once it is committed. */
export function batchedWrite<T>(db: Db, fn: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let items = pending.get(db);
    if (!items) {
      const batch: Item[] = (items = []);
      pending.set(db, batch);
      setTimeout(() => {
        pending.delete(db);
        flushing.set(db, (flushing.get(db) ?? Promise.resolve()).then(() => flush(db, batch)));
      }, BATCH_WINDOW_MS);
    }
    items.push({ fn, resolve: resolve as (value: unknown) => void, reject });
  });
}

/** The batch's writes in as many transactions as TURN_BUDGET_MS asks for, the event loop free between them. */
async function flush(db: Db, items: readonly Item[]): Promise<void> {
  let next = 0;
  while (next < items.length) {
    const first = next;
    let outcomes: Outcome[] = [];
    try {
      // Tried again whole when another process holds the lock: nothing of a failed attempt stays.
      // On PostgreSQL the writes go with the next read or savepoint release (each write's error still
      // reaches its own caller: every write sits in a savepoint of its own).
      await backgroundWrite(
        db,
        () => {
          outcomes = [];
          next = first;
          const began = performance.now();
          db.transaction(
            () => {
              do {
                const item = items[next]!;
                try {
                  outcomes.push({ ok: true, value: db.transaction(() => item.fn()) });
                } catch (error) {
                  if (isBusyError(error)) throw error;
                  outcomes.push({ ok: false, error });
                }
                next++;
              } while (next < items.length && performance.now() - began < TURN_BUDGET_MS);
            },
            { behavior: "immediate" },
          );
        },
        { deferWrites: true },
      );
    } catch (error) {
      // This transaction failed as a whole: its writes and those not yet tried get its error.
      for (const item of items.slice(first)) item.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const item = items[first + index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
    if (next < items.length) await nextTurn();
  }
}
