import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound } from "@/lib/api/http";
import { getClusterDetail } from "@/lib/queries/clusters";

export const dynamic = "force-dynamic";

/** GET /api/v1/clusters/{id}: a cluster, its health, recent health events and Flux objects; never its credentials. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "clusters.read", "clusters.get", id);
  if (call instanceof Response) return call;
  const detail = getClusterDetail(id);
  if (!detail) return notFound("cluster");
  const { credentialsFingerprint, ...cluster } = detail;
  void credentialsFingerprint; // says when credentials changed; nothing a pipeline needs
  call.audit("success");
  return apiJson(cluster);
}
