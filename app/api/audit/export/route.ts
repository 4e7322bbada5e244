import { requirePermission } from "@/lib/auth/current";
import { auditCsvResponse } from "@/lib/exports/audit-csv";
import { auditFilterSchema } from "@/lib/queries/audit";

export const dynamic = "force-dynamic";

/** The audit log as CSV, with the same filters as the page; streamed in batches. */
export async function GET(request: Request) {
  await requirePermission("audit.read", { action: "audit.export", targetType: "audit" });
  return auditCsvResponse(auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams)));
}
