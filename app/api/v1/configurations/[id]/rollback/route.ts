import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, parseBody, validationProblem } from "@/lib/api/http";
import { rollbackBodySchema } from "@/lib/api/schemas";
import { rollBackConfiguration } from "@/lib/configurations/rollback-plan";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/configurations/{id}/rollback `{ version, confirmedTargets }`: saves that version's
 * spec as a new version and pushes it, as the Versions tab does. The page has the person confirm
 * the number of clusters; a caller sends that number, and a target set that differs is a 422.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.push", "configurations.rollback", id);
  if (call instanceof Response) return call;
  const body = await parseBody(rollbackBodySchema, request);
  if (!body.ok) {
    call.audit("invalid", { status: body.response.status });
    return body.response;
  }
  const result = rollBackConfiguration(id, body.data.version, body.data.confirmedTargets, call.actor);
  if (result.status === "not-found") return notFound("configuration");
  if (result.status === "no-version" || result.status === "unconfirmed") {
    call.audit("invalid", { to: body.data.version, reason: result.status });
    return validationProblem(result.status === "no-version" ? { version: "does not exist" } : { confirmedTargets: result.message });
  }
  if (result.status === "invalid") {
    call.audit("invalid", { to: body.data.version, fields: Object.keys(result.fieldErrors) });
    return validationProblem({ version: result.message });
  }
  call.audit("success", { to: body.data.version, version: result.version, rolloutId: result.rolloutId });
  return apiJson({ version: result.version, rolloutId: result.rolloutId ?? null, result: "started" }, 202);
}
