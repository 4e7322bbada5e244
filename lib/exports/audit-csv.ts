import "server-only";
import { csvRow } from "@/lib/csv";
import { auditSummary, auditTargetName } from "@/lib/audit-words";
import { auditNames, iterateAudit, type AuditFilter } from "@/lib/queries/audit";

// Every stored field, plus the target's name and the page's summary for people reading the file.
const COLUMNS = ["id", "at", "actor", "role", "action", "target_type", "target_id", "target_name", "outcome", "ip", "summary", "details"] as const;

type AuditRow = ReturnType<typeof iterateAudit> extends Generator<infer R> ? R : never;

/** The filtered audit log as a CSV download, streamed in batches (the Audit page's export and `GET /api/v1/audit/export`). */
export function auditCsvResponse(filter: AuditFilter): Response {
  const rows = iterateAudit(filter);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow([...COLUMNS])));
    },
    pull(controller) {
      const batch: AuditRow[] = [];
      for (let i = 0; i < 500; i++) {
        const next = rows.next();
        if (next.done) break;
        batch.push(next.value);
      }
      // Names are looked up per batch: one query for the ids 500 entries mention.
      const names = auditNames(batch);
      const chunk = batch
        .map((r) => csvRow([r.id, r.at, r.actorEmail, r.actorRole, r.action, r.targetType, r.targetId, auditTargetName(r, names), r.outcome, r.ip, auditSummary(r, names), r.details]))
        .join("");
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (batch.length < 500) controller.close();
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
