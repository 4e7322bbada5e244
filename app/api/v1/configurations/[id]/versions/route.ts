import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound, paginate, pageQuerySchema, parseBody, parseQuery, validationProblem } from "@/lib/api/http";
import { createVersionEnvelopeSchema } from "@/lib/api/schemas";
import { updateConfiguration } from "@/lib/configurations/store";
import { checkChangeMessage } from "@/lib/configurations/validate";
import { configurationExists, listVersions } from "@/lib/queries/configurations";

export const dynamic = "force-dynamic";

/** GET /api/v1/configurations/{id}/versions: its versions, newest first, paginated. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.read", "configurations.versions", id);
  if (call instanceof Response) return call;
  const query = parseQuery(pageQuerySchema, request);
  if (!query.ok) return query.response;
  if (!configurationExists(id)) return notFound("configuration");
  const page = paginate(listVersions(id), query.data);
  call.audit("success", { page: page.page, total: page.total });
  return apiJson(page);
}

/**
 * POST /api/v1/configurations/{id}/versions `{ spec, message? }`: saves a new immutable version
 * (not pushed), validated as the wizard's save is; errors are keyed `spec.<field>`. 201.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.write", "configurations.create-version", id);
  if (call instanceof Response) return call;
  const body = await parseBody(createVersionEnvelopeSchema, request);
  if (!body.ok) return body.response;
  const messageProblem = checkChangeMessage(body.data.message);
  if (messageProblem) return validationProblem({ message: messageProblem });
  const saved = updateConfiguration(id, body.data.spec, { author: call.actor.email, message: body.data.message ?? "" });
  if (saved.status === "not-found") return notFound("configuration");
  if (saved.status === "invalid") {
    call.audit("invalid", { fields: Object.keys(saved.fieldErrors) });
    return validationProblem(Object.fromEntries(Object.entries(saved.fieldErrors).map(([field, message]) => [`spec.${field}`, message])));
  }
  call.audit("success", { version: saved.version, message: body.data.message ?? "" });
  return apiJson({ configurationId: id, version: saved.version }, 201);
}
