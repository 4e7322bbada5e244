import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { CLUSTER_PAGE_SIZE, clusterFilterSchema, listClusters } from "@/lib/queries/clusters";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/clusters: the cluster list with the Clusters page's filters (q, label, health,
 * flux, reconciler, sort, dir, page), 50 a page. Needs `clusters.read`.
 */
export function GET(request: Request) {
  const call = requireApiCaller(request, "clusters.read", "clusters.list");
  if (call instanceof Response) return call;
  const filter = clusterFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total } = listClusters(filter);
  call.audit("success", { page: filter.page, total });
  return apiJson({
    page: filter.page,
    pageSize: CLUSTER_PAGE_SIZE,
    total,
    items: rows.map((r) => ({
      id: r.id,
      name: r.name,
      displayName: r.displayName,
      labels: r.labels,
      server: r.server,
      reconciler: r.reconciler,
      health: {
        state: r.health?.state ?? "unknown",
        reason: r.health?.reason ?? null,
        lastSeenAt: r.health?.lastSeenAt?.toISOString() ?? null,
        kubernetesVersion: r.health?.kubernetesVersion ?? null,
        fluxVersion: r.health?.fluxVersion ?? null,
        argoVersion: r.health?.argoVersion ?? null,
      },
    })),
  });
}
