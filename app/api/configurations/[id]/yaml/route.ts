import { requirePermission } from "@/lib/auth/current";
import { getVersion } from "@/lib/configurations/store";
import { renderedYaml } from "@/lib/configurations/version-diff";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/**
 * One version's rendered Flux objects as a YAML download (Secret values masked, as on the
 * YAML tab): what the Versions and YAML tabs offer when a text is too large to show.
 */
export async function GET(request: Request, { params }: Context) {
  const { id } = await params;
  await requirePermission("configurations.read", { action: "configuration.download", targetType: "configuration", targetId: id });
  const version = Number(new URL(request.url).searchParams.get("version"));
  const detail = Number.isInteger(version) && version > 0 ? getVersion(id, version) : undefined;
  if (!detail) return Response.json({ error: "version: no such version of this configuration" }, { status: 404 });
  return new Response(renderedYaml(id, version, detail.spec), {
    headers: {
      "Content-Type": "application/yaml; charset=utf-8",
      "Content-Disposition": `attachment; filename="configuration-v${version}.yaml"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
