import { getDb } from "@/db";
import { probeDatabase } from "@/db/busy";
import { observationHealth } from "@/lib/observe/loop";

export const dynamic = "force-dynamic";

/**
 * Liveness and database readiness; unauthenticated by design and reveals nothing sensitive.
 * "locked": another process holds the write lock, so writes wait (the server still answers).
 */
export function GET() {
  let database: ReturnType<typeof probeDatabase>;
  try {
    database = probeDatabase(getDb());
  } catch {
    database = "unavailable";
  }
  // Whether the observation loop runs and keeps up (hardening case 17): a stopped loop leaves every page stale.
  if (database === "ok") return Response.json({ status: "ok", database, observation: observationHealth() });
  return Response.json({ status: "error", database }, { status: 503 });
}
