import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, pageQuerySchema, parseQuery } from "@/lib/api/http";
import { statusQuerySchema } from "@/lib/api/schemas";
import { configurationExists } from "@/lib/queries/configurations";
import { configurationStatusRows } from "@/lib/queries/configuration-status";

export const dynamic = "force-dynamic";

const querySchema = pageQuerySchema.extend(statusQuerySchema.shape);

/** GET /api/v1/configurations/{id}/status: one row per target cluster, worst first; `state` and `search` filter. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.read", "configurations.status", id);
  if (call instanceof Response) return call;
  const query = parseQuery(querySchema, request);
  if (!query.ok) return query.response;
  if (!configurationExists(id)) return notFound("configuration");
  const { page, pageSize, state, search } = query.data;
  const status = configurationStatusRows(id, { state, search, limit: pageSize, offset: (page - 1) * pageSize });
  call.audit("success", { page, total: status.total });
  return apiJson({
    page,
    pageSize,
    total: status.total,
    byState: status.byState,
    items: status.rows.map((row) => ({
      clusterId: row.clusterId,
      clusterName: row.clusterName,
      state: row.state,
      reason: row.reason,
      appliedVersion: row.appliedVersion,
      isStale: row.isStale,
      observedAt: row.observedAt,
    })),
  });
}
