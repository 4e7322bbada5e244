import { getDb } from "@/db";
import { probeDatabase } from "@/db/busy";

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
  if (database === "ok") return Response.json({ status: "ok", database });
  return Response.json({ status: "error", database }, { status: 503 });
}
