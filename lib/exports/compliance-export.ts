import "server-only";
import { listAssignments } from "@/lib/compliance/assignments";
import { exportStream } from "@/lib/compliance/export";
import { EXPORT_FORMATS, exportFileName } from "@/lib/compliance/export-format";
import { matrixFilterSchema } from "@/lib/compliance/filters";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" } as const;

/** The compliance matrix as CSV or JSON with the page's filters, every page of it, streamed (the page's export and `GET /api/v1/compliance/export`). */
export function complianceExportResponse(params: Record<string, string>): Response {
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
