import { requirePermission } from "@/lib/auth/current";
import { listAssignments } from "@/lib/compliance/assignments";
import { exportStream } from "@/lib/compliance/export";
import { EXPORT_FORMATS, exportFileName } from "@/lib/compliance/export-format";
import { matrixFilterSchema } from "@/lib/compliance/filters";

export const dynamic = "force-dynamic";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" } as const;

/** The compliance matrix as CSV or JSON, with the page's filters; every page of it, streamed. */
export async function GET(request: Request) {
  await requirePermission("compliance.read", { action: "compliance.export", targetType: "compliance" });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = EXPORT_FORMATS.find((f) => f === params.format) ?? "csv";
  const filter = matrixFilterSchema.parse(params);
  return new Response(exportStream(filter, listAssignments(), format), {
    headers: {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="${exportFileName(format)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
