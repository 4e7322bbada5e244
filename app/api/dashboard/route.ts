import { requirePermission } from "@/lib/auth/current";
import { dashboardSummary, type DriftKind } from "@/lib/queries/dashboard";

export const dynamic = "force-dynamic";

const DRIFT: readonly DriftKind[] = ["config", "revision", "resource", "any"];

/** The dashboard's data as JSON, polled by the page so it stays live without reloading. */
export async function GET(request: Request) {
  await requirePermission("dashboard.read", { action: "dashboard.read", targetType: "dashboard" });
  const drift = new URL(request.url).searchParams.get("drift");
  const filter = DRIFT.includes(drift as DriftKind) ? { drift: drift as DriftKind } : {};
  return Response.json(dashboardSummary(filter), { headers: { "Cache-Control": "no-store" } });
}
