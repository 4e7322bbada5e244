import { probeReadiness } from "@/lib/queries/health";

export const dynamic = "force-dynamic";

/**
 * Readiness (a Kubernetes readinessProbe): 200 when the database answers and every committed
 * migration is applied, else 503. Unauthenticated by design; reveals counts, nothing sensitive.
 */
export function GET() {
  const { ready, database, pendingMigrations } = probeReadiness();
  return Response.json({ status: ready ? "ready" : "not-ready", database, pendingMigrations }, { status: ready ? 200 : 503 });
}
