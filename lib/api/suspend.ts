import "server-only";
import { runStatusSweep } from "@/lib/observe/loop";
import { setSuspended } from "@/lib/status/verbs";
import { apiJson, requireApiCaller } from "./auth";
import { notFound, parseBody } from "./http";
import { suspendBodySchema } from "./schemas";

/** The suspend and resume routes: one handler each, as the configuration page's buttons. 502 when a cluster refused. */
export function suspendHandler(isSuspended: boolean) {
  const verb = isSuspended ? "suspend" : "resume";
  return async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
    const { id } = await params;
    const call = requireApiCaller(request, "configurations.reconcile", `configurations.${verb}`, id);
    if (call instanceof Response) return call;
    const body = await parseBody(suspendBodySchema, request);
    if (!body.ok) return body.response;
    const { clusterId } = body.data;
    const result = await setSuspended(id, isSuspended, clusterId);
    if (result.status === "not-found") return notFound("configuration");
    const clusters = result.clusters.map(({ clusterId: cid, clusterName, status, error }) => ({ clusterId: cid, clusterName, status, ...(error ? { error } : {}) }));
    const failed = clusters.filter((c) => c.status !== "ok").length;
    call.audit(failed ? "failed" : "success", { clusterId: clusterId ?? "all", clusters: clusters.length, failed });
    void runStatusSweep(clusterId ? { clusterIds: [clusterId] } : {});
    const message = failed ? `${verb} failed on ${failed} of ${clusters.length} clusters` : `${isSuspended ? "suspended" : "resumed"} on ${clusters.length} clusters`;
    return apiJson(failed ? { error: message, clusters } : { message, clusters }, failed ? 502 : 200);
  };
}
