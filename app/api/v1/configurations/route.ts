import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { paginate, pageQuerySchema, parseQuery } from "@/lib/api/http";
import { listConfigurations } from "@/lib/queries/configurations";

export const dynamic = "force-dynamic";

/** GET /api/v1/configurations: configurations by name, paginated. Needs `configurations.read`. */
export function GET(request: Request) {
  const call = requireApiCaller(request, "configurations.read", "configurations.list");
  if (call instanceof Response) return call;
  const query = parseQuery(pageQuerySchema, request);
  if (!query.ok) return query.response;
  const page = paginate(listConfigurations(), query.data);
  call.audit("success", { page: page.page, total: page.total });
  return apiJson(page);
}
