import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, parseBody } from "@/lib/api/http";
import { clusterLabelsBodySchema } from "@/lib/api/schemas";
import { replaceClusterLabels } from "@/lib/inventory/cluster-labels";

export const dynamic = "force-dynamic";

/** PUT /api/v1/clusters/{id}/labels `{ labels }`: replaces the cluster's labels, as the Labels tab does; targets follow. */
export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "clusters.update", "clusters.labels", id);
  if (call instanceof Response) return call;
  const body = await parseBody(clusterLabelsBodySchema, request);
  if (!body.ok) {
    call.audit("invalid", { status: body.response.status });
    return body.response;
  }
  const replaced = replaceClusterLabels(id, body.data.labels, call.actor);
  if (replaced.status === "not-found") return notFound("cluster");
  call.audit("success", { cluster: replaced.clusterName });
  return apiJson({ clusterId: id, labels: body.data.labels });
}
