import "server-only";
import { and, eq, lte, or } from "drizzle-orm";
import { getDb } from "@/db";
import { leases } from "@/db/schema-replicas";

/**
 * Takes or renews the named lease for `holder` until now + ttlMs, in one statement: an insert
 * when nobody has held it, else an update only while the holder is `holder` or the lease has
 * expired. The database serialises the two writers (SQLite's write lock; Postgres's row lock
 * re-checks the condition), so two processes can never both come away holding it. True when
 * `holder` holds it now.
 */
export function takeLease(name: string, holder: string, ttlMs: number, now = Date.now()): boolean {
  const expiresAt = new Date(now + ttlMs);
  const won = getDb()
    .insert(leases)
    .values({ name, holder, expiresAt })
    .onConflictDoUpdate({ target: leases.name, set: { holder, expiresAt }, setWhere: or(eq(leases.holder, holder), lte(leases.expiresAt, new Date(now))) })
    .returning({ holder: leases.holder })
    .all();
  return won.length === 1 && won[0]!.holder === holder;
}

/** Gives the lease up at once (a clean shutdown), so another replica need not wait for it to expire. */
export function releaseLease(name: string, holder: string): void {
  getDb()
    .delete(leases)
    .where(and(eq(leases.name, name), eq(leases.holder, holder)))
    .run();
}

/** Who holds the lease now (undefined when nobody does, or it has expired). */
export function leaseHolder(name: string, now = Date.now()): string | undefined {
  const row = getDb().select().from(leases).where(eq(leases.name, name)).get();
  return row && row.expiresAt.getTime() > now ? row.holder : undefined;
}
