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
