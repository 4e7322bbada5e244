import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { dashboardSummary } from "@/lib/queries/dashboard";

export const dynamic = "force-dynamic";

/** GET /api/v1/status: the fleet summary the dashboard shows (totals, clusters needing attention, worst configurations). */
export function GET(request: Request) {
  const call = requireApiCaller(request, "dashboard.read", "status.fleet");
  if (call instanceof Response) return call;
  const { totals, attention, mostNonCompliant, lastRefreshAt } = dashboardSummary();
  call.audit("success");
  return apiJson({ totals, attention, mostNonCompliant, lastRefreshAt });
}
