import { eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { loginThrottle } from "@/db/schema";

export type ThrottleRule = { maxFailures: number; windowMs: number; lockMs: number };

// Per account: a handful of guesses. Per address: more, since one office may share an address.
export const ACCOUNT_RULE: ThrottleRule = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const ADDRESS_RULE: ThrottleRule = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (ip: string) => `ip:${ip}`;

/** Milliseconds until the earliest of these keys unlocks, or 0 when none is locked. */
export function lockedFor(keys: string[], now = Date.now()): number {
  if (keys.length === 0) return 0;
  const rows = getDb().select().from(loginThrottle).where(inArray(loginThrottle.key, keys)).all();
  return rows.reduce((max, r) => Math.max(max, (r.lockedUntil?.getTime() ?? 0) - now), 0);
}

type Entry = { key: string; rule: ThrottleRule };

/**
 * Reserves one attempt on every key, before the password is checked: in one write transaction it
 * refuses when any key is locked or its window is full, and otherwise counts the attempt as a
 * failure on each key (locking a key that reaches its limit). Parallel attempts therefore cannot
 * all pass a check made before the first of them failed; a success gives its reservation back
 * (settleSuccess). Returns 0 when reserved, else the milliseconds until the earliest retry.
 */
export function reserveAttempt(entries: Entry[], now = Date.now()): number {
  return getDb().transaction(
    (tx) => {
      const rows = entries.map(({ key, rule }) => ({ key, rule, row: tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get() }));
      let waitMs = 0;
      for (const { rule, row } of rows) {
        if (!row) continue;
        const lockedMs = (row.lockedUntil?.getTime() ?? 0) - now;
        const windowOpen = now - row.windowStartedAt.getTime() <= rule.windowMs;
        if (lockedMs > 0) waitMs = Math.max(waitMs, lockedMs);
        else if (windowOpen && row.failures >= rule.maxFailures) waitMs = Math.max(waitMs, row.windowStartedAt.getTime() + rule.windowMs - now);
      }
      if (waitMs > 0) return waitMs;
      for (const { key, rule, row } of rows) {
        const windowExpired = !row || now - row.windowStartedAt.getTime() > rule.windowMs;
        const failures = windowExpired ? 1 : row.failures + 1;
        const values = {
          failures,
          windowStartedAt: windowExpired ? new Date(now) : row.windowStartedAt,
          lockedUntil: failures >= rule.maxFailures ? new Date(now + rule.lockMs) : null,
        };
        tx.insert(loginThrottle).values({ key, ...values }).onConflictDoUpdate({ target: loginThrottle.key, set: values }).run();
      }
      return 0;
    },
    { behavior: "immediate" },
  );
}

/** Gives a reserved attempt back on these keys (a correct password, or an attempt never checked). */
export function releaseAttempt(entries: Entry[]) {
  getDb().transaction(
    (tx) => {
      for (const { key, rule } of entries) {
        const row = tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
        if (!row) continue;
        const failures = Math.max(0, row.failures - 1);
        tx.update(loginThrottle)
          .set({ failures, lockedUntil: failures >= rule.maxFailures ? row.lockedUntil : null })
          .where(eq(loginThrottle.key, key))
          .run();
      }
    },
    { behavior: "immediate" },
  );
}

export function recordFailure(entries: { key: string; rule: ThrottleRule }[], now = Date.now()) {
  const db = getDb();
  db.transaction((tx) => {
    for (const { key, rule } of entries) {
      const row = tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
      const windowExpired = !row || now - row.windowStartedAt.getTime() > rule.windowMs;
      const failures = windowExpired ? 1 : row.failures + 1;
      const lockedUntil = failures >= rule.maxFailures ? new Date(now + rule.lockMs) : null;
      const values = {
        failures,
        windowStartedAt: windowExpired ? new Date(now) : row.windowStartedAt,
        lockedUntil,
      };
      tx.insert(loginThrottle)
        .values({ key, ...values })
        .onConflictDoUpdate({ target: loginThrottle.key, set: values })
        .run();
    }
  });
}

export function clearFailures(key: string) {
  getDb().delete(loginThrottle).where(eq(loginThrottle.key, key)).run();
}
