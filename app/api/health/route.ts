import { observationHealth } from "@/lib/observe/loop";
import { probeDatabaseHealth } from "@/lib/queries/health";
import { replicaHealth } from "@/lib/server/replicas";

export const dynamic = "force-dynamic";

/**
 * Liveness and database readiness; unauthenticated by design and reveals nothing sensitive.
 * "locked": another process holds the write lock, so writes wait (the server still answers).
 */
export function GET() {
  const database = probeDatabaseHealth();
  // With background work on: this replica's id, how many are live, how many clusters it observes.
  const replicas = replicaHealth();
  if (database === "ok") return Response.json({ status: "ok", database, observation: observationHealth(), ...(replicas ? { replicas } : {}) });
  return Response.json({ status: "error", database }, { status: 503 });
}
