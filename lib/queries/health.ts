import "server-only";
import { getDb } from "@/db";
import { probeDatabase } from "@/db/busy";
import { pendingMigrations } from "@/db/client";

/** The liveness endpoint's one read: "ok", "locked" (another process holds the write lock) or "unavailable". */
export function probeDatabaseHealth(): ReturnType<typeof probeDatabase> | "unavailable" {
  try {
    return probeDatabase(getDb());
  } catch {
    return "unavailable";
  }
}

/** Readiness: the database answers and every committed migration is applied. */
export function probeReadiness(): { ready: boolean; database: ReturnType<typeof probeDatabaseHealth>; pendingMigrations: number | null } {
  const database = probeDatabaseHealth();
  if (database === "unavailable") return { ready: false, database, pendingMigrations: null };
  try {
    const pending = pendingMigrations(getDb());
    return { ready: database === "ok" && pending === 0, database, pendingMigrations: pending };
  } catch {
    return { ready: false, database, pendingMigrations: null };
  }
}
