import { requireApiCaller } from "@/lib/api/auth";
import { parseQuery } from "@/lib/api/http";
import { auditQuerySchema } from "@/lib/api/schemas";
import { auditCsvResponse } from "@/lib/exports/audit-csv";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit/export: the filtered audit log as CSV, every page, streamed. Needs `audit.read`. */
export function GET(request: Request) {
  const call = requireApiCaller(request, "audit.read", "audit.export");
  if (call instanceof Response) return call;
  const query = parseQuery(auditQuerySchema, request);
  if (!query.ok) return query.response;
  call.audit("success");
  return auditCsvResponse(query.data);
}
