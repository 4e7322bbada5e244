import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, parseBody, validationProblem } from "@/lib/api/http";
import { rolloutActionBodySchema } from "@/lib/api/schemas";
import { CONTROL_VERBS, controlRollout, isControlVerb } from "@/lib/push/rollout-control";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/rollouts/{id}/{action}: pause, resume, approve, skip (`{ clusterId }`), abort or
 * abort-rollback, as the rollout page's buttons; each needs `configurations.push`. 409 when refused.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string; action: string }> }) {
  const { id, action } = await params;
  if (!isControlVerb(action)) return apiJson({ error: `no such action: use one of ${CONTROL_VERBS.join(", ")}` }, 404);
  const call = requireApiCaller(request, "configurations.push", `rollouts.${action}`, id);
  if (call instanceof Response) return call;
  const body = await parseBody(rolloutActionBodySchema, request);
  if (!body.ok) return body.response;
  if (action === "skip" && !body.data.clusterId) return validationProblem({ clusterId: "is required: which cluster to skip" });
  const result = controlRollout(action, id, call.actor, body.data.clusterId);
  if (result.status === "not-found") return notFound("rollout or cluster");
  call.audit(result.status === "ok" ? "success" : "failed", { message: result.message });
  return apiJson(result.status === "ok" ? { message: result.message, ...(result.rolloutId ? { rolloutId: result.rolloutId } : {}) } : { error: result.message }, result.status === "ok" ? 200 : 409);
}
