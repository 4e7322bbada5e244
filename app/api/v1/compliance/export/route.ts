import { requireApiCaller } from "@/lib/api/auth";
import { complianceExportResponse } from "@/lib/exports/compliance-export";

export const dynamic = "force-dynamic";

/** GET /api/v1/compliance/export: the matrix as CSV (or `format=json`) with the page's filters, streamed. */
export function GET(request: Request) {
  const call = requireApiCaller(request, "compliance.read", "compliance.export");
  if (call instanceof Response) return call;
  call.audit("success");
  return complianceExportResponse(Object.fromEntries(new URL(request.url).searchParams));
}
