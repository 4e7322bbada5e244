import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound } from "@/lib/api/http";
import { findCluster } from "@/lib/inventory/registry";
import { clusterConfigurationStatuses } from "@/lib/queries/configuration-status";

export const dynamic = "force-dynamic";

/** GET /api/v1/clusters/{id}/status: every configuration's state on the cluster, worst first. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "clusters.read", "clusters.status", id);
  if (call instanceof Response) return call;
  const cluster = findCluster(id);
  if (!cluster) return notFound("cluster");
  const items = clusterConfigurationStatuses(id).map((row) => ({
    configurationId: row.configurationId,
    configurationName: row.configurationName,
    state: row.state,
    reason: row.reason,
    appliedVersion: row.appliedVersion,
    isStale: row.isStale,
    observedAt: row.observedAt,
  }));
  call.audit("success", { total: items.length });
  return apiJson({ clusterId: cluster.id, clusterName: cluster.name, items });
}
