import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, parseBody } from "@/lib/api/http";
import { reconcileBodySchema } from "@/lib/api/schemas";
import { runStatusSweep } from "@/lib/observe/loop";
import { reconcileNow } from "@/lib/status/verbs";

export const dynamic = "force-dynamic";

/** POST /api/v1/configurations/{id}/reconcile `{ clusterId, withSource? }`: asks the cluster's reconciler to act now. 502 when the cluster refused. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.reconcile", "configurations.reconcile", id);
  if (call instanceof Response) return call;
  const body = await parseBody(reconcileBodySchema, request);
  if (!body.ok) return body.response;
  const { clusterId, withSource } = body.data;
  const result = await reconcileNow(clusterId, id, { withSource });
  if (result.status === "not-found") return notFound("configuration on that cluster");
  call.audit(result.status === "ok" ? "success" : "failed", { clusterId, withSource, verb: result.verb, token: result.token, ...(result.status === "failed" ? { error: result.error } : {}) });
  void runStatusSweep({ clusterIds: [clusterId] });
  return result.status === "ok" ? apiJson({ message: `${result.verb} requested`, requestToken: result.token }) : apiJson({ error: `${result.verb} request failed: ${result.error}` }, 502);
}
