import { databaseAnswers } from "@/lib/queries/health";

export const dynamic = "force-dynamic";

/** Liveness and database readiness; unauthenticated by design and reveals nothing sensitive. */
export function GET() {
  return databaseAnswers() ? Response.json({ status: "ok", database: "ok" }) : Response.json({ status: "error", database: "unavailable" }, { status: 503 });
}
