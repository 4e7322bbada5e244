import { requirePermission } from "@/lib/auth/current";
import { complianceExportResponse } from "@/lib/exports/compliance-export";

export const dynamic = "force-dynamic";

/** The compliance matrix as CSV or JSON, with the page's filters; every page of it, streamed. */
export async function GET(request: Request) {
  await requirePermission("compliance.read", { action: "compliance.export", targetType: "compliance" });
  return complianceExportResponse(Object.fromEntries(new URL(request.url).searchParams));
}
