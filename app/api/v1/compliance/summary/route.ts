import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { listAssignments, loadSummary } from "@/lib/queries/compliance";

export const dynamic = "force-dynamic";

/** GET /api/v1/compliance/summary: the Compliance overview's numbers. Needs `compliance.read`. */
export function GET(request: Request) {
  const call = requireApiCaller(request, "compliance.read", "compliance.summary");
  if (call instanceof Response) return call;
  const summary = loadSummary(listAssignments());
  call.audit("success");
  return apiJson(summary);
}
