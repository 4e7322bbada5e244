import "server-only";
import { getDb } from "@/db";
import { probeDatabase } from "@/db/busy";

/** The liveness endpoint's one read: "ok", "locked" (another process holds the write lock) or "unavailable". */
export function probeDatabaseHealth(): ReturnType<typeof probeDatabase> | "unavailable" {
  try {
    return probeDatabase(getDb());
  } catch {
    return "unavailable";
  }
}
