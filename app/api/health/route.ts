import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { observationHealth } from "@/lib/observe/loop";

export const dynamic = "force-dynamic";

/** Liveness and database readiness; unauthenticated by design and reveals nothing sensitive. */
export function GET() {
  try {
    getDb().get(sql`select 1`);
    // Whether the observation loop runs and keeps up (hardening case 17): a stopped loop leaves every page stale.
    return Response.json({ status: "ok", database: "ok", observation: observationHealth() });
  } catch {
    return Response.json({ status: "error", database: "unavailable" }, { status: 503 });
  }
}
