import { requirePermission } from "@/lib/auth/current";
import { csvRow } from "@/lib/csv";
import { auditFilterSchema, iterateAudit } from "@/lib/queries/audit";

export const dynamic = "force-dynamic";

const COLUMNS = ["id", "at", "actor", "role", "action", "target_type", "target_id", "outcome", "ip", "details"] as const;

/** The audit log as CSV, with the same filters as the page; streamed in batches. */
export async function GET(request: Request) {
  await requirePermission("audit.read", { action: "audit.export", targetType: "audit" });
  const filter = auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = iterateAudit(filter);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow([...COLUMNS])));
    },
    pull(controller) {
      let chunk = "";
      for (let i = 0; i < 500; i++) {
        const next = rows.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        const r = next.value;
        chunk += csvRow([r.id, r.at, r.actorEmail, r.actorRole, r.action, r.targetType, r.targetId, r.outcome, r.ip, r.details]);
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="fleetline-audit-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
