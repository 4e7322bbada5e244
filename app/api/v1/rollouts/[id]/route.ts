import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { notFound } from "@/lib/api/http";
import { getRolloutProgress } from "@/lib/queries/configurations";

export const dynamic = "force-dynamic";

/** GET /api/v1/rollouts/{id}: a push's progress: waves, gate, counts, one row per cluster. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const call = requireApiCaller(request, "configurations.read", "rollouts.get", id);
  if (call instanceof Response) return call;
  const progress = getRolloutProgress(id);
  if (!progress) return notFound("rollout");
  call.audit("success");
  return apiJson(progress);
}
