import { requirePermission } from "@/lib/auth/current";
import { csvRow } from "@/lib/csv";
import { parseVersionsFilter } from "@/lib/versions/filters";
import { versionsExportLines } from "@/lib/versions/queries";

export const dynamic = "force-dynamic";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" } as const;
const COLUMNS = ["configuration", "kind", "name", "cluster", "group", "workload", "version", "image", "newest", "behind", "not_in_git", "git_image", "app_version", "observed_at"] as const;

/** The Versions page as CSV or JSON, with its filters: one line per container (or Helm release) and cluster, every cluster column. */
export async function GET(request: Request) {
  await requirePermission("compliance.read", { action: "versions.export", targetType: "versions" });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = params.format === "json" ? "json" : "csv";
  const filter = parseVersionsFilter(params);
  const lines = versionsExportLines(filter).map((l) => ({
    configuration: l.configurationName,
    kind: l.kind,
    name: l.name,
    cluster: l.clusterName,
    group: l.group,
    workload: l.workload,
    version: l.label,
    image: l.full,
    newest: l.newest,
    behind: l.isBehind,
    not_in_git: l.isNotInGit,
    git_image: l.gitImage,
    app_version: l.appVersion,
    observed_at: new Date(l.observedAt).toISOString(),
  }));
  const body = format === "json" ? JSON.stringify({ filter: { ...filter, cols: undefined }, lines }) : csvRow([...COLUMNS]) + lines.map((l) => csvRow(COLUMNS.map((c) => l[c]))).join("");
  const date = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="fleetline-versions-${date}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
