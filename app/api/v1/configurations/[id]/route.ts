import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound } from "@/lib/api/http";
import { configurationForPage } from "@/lib/queries/configurations";

export const dynamic = "force-dynamic";

/** GET /api/v1/configurations/{id}: the configuration, its current spec, its target count and first targets. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.read", "configurations.get", id);
  if (call instanceof Response) return call;
  const configuration = configurationForPage(id);
  if (!configuration) return notFound("configuration");
  call.audit("success");
  return apiJson(configuration);
}
