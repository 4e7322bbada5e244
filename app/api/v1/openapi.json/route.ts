import { apiJson } from "@/lib/api/auth";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

/** GET /api/v1/openapi.json: the OpenAPI 3.1 document. Public: it describes routes, holds no fleet data. */
export function GET() {
  return apiJson(openApiDocument());
}
