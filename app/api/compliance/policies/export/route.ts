import { requirePermission } from "@/lib/auth/current";
import { csvRow } from "@/lib/csv";
import { formatLabels } from "@/lib/inventory/cluster-input";
import { policyExportLines } from "@/lib/policy/queries";
import { policyFilter } from "@/lib/policy/filter";

export const dynamic = "force-dynamic";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" } as const;
const COLUMNS = ["cluster", "labels", "engine", "policy", "severity", "state", "fail", "error", "warn", "pass", "audited_at", "accepted_by_waiver", "accepted_until"] as const;

/** Policy compliance as CSV or JSON with the Policies tab's filters: one line per cluster and policy. */
export async function GET(request: Request) {
  await requirePermission("compliance.read", { action: "policies.export", targetType: "compliance" });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = params.format === "json" ? "json" : "csv";
  const { filter, labelsError } = policyFilter(params);
  if (labelsError) return Response.json({ error: `labels: ${labelsError}` }, { status: 400 });
  const lines = policyExportLines(filter).map((l) => ({
    cluster: l.cluster,
    labels: format === "json" ? l.labels : formatLabels(l.labels),
    engine: l.engine,
    policy: l.policy,
    severity: l.severity,
    state: l.state,
    fail: l.fail,
    error: l.error,
    warn: l.warn,
    pass: l.pass,
    audited_at: l.auditedAt?.toISOString() ?? null,
    accepted_by_waiver: l.acceptedBy,
    accepted_until: l.acceptedUntil?.toISOString() ?? null,
  }));
  const body = format === "json" ? JSON.stringify({ filter, lines }) : csvRow([...COLUMNS]) + lines.map((l) => csvRow(COLUMNS.map((c) => l[c]))).join("");
  return new Response(body, {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="fleetline-policies-${new Date().toISOString().slice(0, 10)}.${format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
