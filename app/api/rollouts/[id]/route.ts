import { requirePermission } from "@/lib/auth/current";
import { getRolloutProgress } from "@/lib/queries/configurations";

export const dynamic = "force-dynamic";

/** A rollout's live progress, polled by the configuration page while a push runs. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  await requirePermission("configurations.read", { action: "rollout.read", targetType: "rollout" });
  const { id } = await params;
  const progress = getRolloutProgress(id);
  if (!progress) return Response.json({ error: "not found" }, { status: 404 });
  return Response.json(progress, { headers: { "Cache-Control": "no-store" } });
}
