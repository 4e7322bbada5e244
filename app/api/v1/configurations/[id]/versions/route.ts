import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, paginate, pageQuerySchema, parseQuery } from "@/lib/api/http";
import { configurationExists, listVersions } from "@/lib/queries/configurations";

export const dynamic = "force-dynamic";

/** GET /api/v1/configurations/{id}/versions: its versions, newest first, paginated. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.read", "configurations.versions", id);
  if (call instanceof Response) return call;
  const query = parseQuery(pageQuerySchema, request);
  if (!query.ok) return query.response;
  if (!configurationExists(id)) return notFound("configuration");
  const page = paginate(listVersions(id), query.data);
  call.audit("success", { page: page.page, total: page.total });
  return apiJson(page);
}
