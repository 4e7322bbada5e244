import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { parseQuery } from "@/lib/api/http";
import { auditQuerySchema } from "@/lib/api/schemas";
import { AUDIT_PAGE_SIZE, listAudit } from "@/lib/queries/audit";

export const dynamic = "force-dynamic";

/** GET /api/v1/audit: the audit log, newest first, with the Audit page's filters, 50 a page. Needs `audit.read`. */
export function GET(request: Request) {
  const call = requireApiCaller(request, "audit.read", "audit.query");
  if (call instanceof Response) return call;
  const query = parseQuery(auditQuerySchema, request);
  if (!query.ok) return query.response;
  const { rows, total } = listAudit(query.data);
  call.audit("success", { page: query.data.page, total });
  return apiJson({
    page: query.data.page,
    pageSize: AUDIT_PAGE_SIZE,
    total,
    items: rows.map(({ id, at, actorEmail, action, targetType, targetId, outcome, details }) => ({ id, at, actorEmail, action, targetType, targetId, outcome, details: JSON.parse(details) as unknown })),
  });
}
