import { apiJson, requireApiCaller } from "@/lib/api/auth";
import { matrixFilterSchema } from "@/lib/compliance/filters";
import { listAssignments, loadMatrix } from "@/lib/queries/compliance";

export const dynamic = "force-dynamic";

/** GET /api/v1/compliance/matrix: one page of the Compliance matrix, with the page's filters. Needs `compliance.read`. */
export function GET(request: Request) {
  const call = requireApiCaller(request, "compliance.read", "compliance.matrix");
  if (call instanceof Response) return call;
  const filter = matrixFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const matrix = loadMatrix(filter, listAssignments());
  call.audit("success", { page: filter.page, total: matrix.total });
  return apiJson({ page: filter.page, ...matrix });
}
