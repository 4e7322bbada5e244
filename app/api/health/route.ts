import { observationHealth } from "@/lib/observe/loop";
import { probeDatabaseHealth } from "@/lib/queries/health";

export const dynamic = "force-dynamic";

/**
 * Liveness and database readiness; unauthenticated by design and reveals nothing sensitive.
 * "locked": another process holds the write lock, so writes wait (the server still answers).
 */
export function GET() {
  const database = probeDatabaseHealth();
  if (database === "ok") return Response.json({ status: "ok", database, observation: observationHealth() });
  return Response.json({ status: "error", database }, { status: 503 });
}
