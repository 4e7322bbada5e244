import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, parseBody, validationProblem } from "@/lib/api/http";
import { pushBodySchema } from "@/lib/api/schemas";
import { env } from "@/lib/env";
import { pushCurrentVersion } from "@/lib/push/push-current";
import { waitForReconciliation } from "@/lib/push/reconciliation-wait";
import { parseDurationMs } from "@/lib/validation/duration";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/configurations/{id}/push `{ clusterIds?, wait? }`: pushes the current version.
 * Without `wait`, 202 once the rollout has started. With it, the answer waits (polling the
 * status rows, as the wave gate does) until every target is Compliant on the version: 200
 * `result: "compliant"`; else 409 `result: "failed" | "timeout"` with the clusters and why, so
 * `curl --fail` fails a pipeline's stage. A client that hangs up ends the wait.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.push", "configurations.push", id);
  if (call instanceof Response) return call;
  const body = await parseBody(pushBodySchema, request);
  if (!body.ok) {
    call.audit("invalid", { status: body.response.status });
    return body.response;
  }
  const started = pushCurrentVersion(id, call.actor, body.data.clusterIds);
  if (started.status === "not-found") return notFound("configuration");
  if (started.status === "invalid") {
    call.audit("invalid", { fields: Object.keys(started.fieldErrors) });
    return validationProblem(started.fieldErrors);
  }
  const { rolloutId, version } = started;
  if (!body.data.wait) {
    call.audit("success", { rolloutId, version });
    return apiJson({ rolloutId, version, result: "started" }, 202);
  }
  const outcome = await waitForReconciliation(rolloutId, { timeoutMs: parseDurationMs(body.data.wait) ?? 0, pollMs: env().FLEETLINE_GATE_POLL_MS, signal: request.signal });
  if (!outcome) return notFound("rollout");
  const compliant = outcome.result === "compliant";
  call.audit(compliant ? "success" : "failed", { rolloutId, version, wait: body.data.wait, result: outcome.result, notCompliant: outcome.clusters.length });
  const error = compliant ? undefined : `${outcome.clusters.length} of ${outcome.targets} targets are not Compliant on v${version} (${outcome.result})`;
  return apiJson({ ...outcome, ...(error ? { error } : {}) }, compliant ? 200 : 409);
}
