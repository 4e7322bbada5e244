import { matrixFilterSchema, matrixParams, type MatrixFilter } from "@/lib/compliance/filters";
import { queryString } from "@/lib/url";

export type ComplianceTab = "overview" | "matrix" | "assignments" | "policies" | "waivers";

/** A link within /compliance that keeps the given matrix filters (defaults left out of the URL). */
export function complianceHref(tab: ComplianceTab, filter: Partial<MatrixFilter> = {}): string {
  const params = tab === "matrix" ? matrixParams({ ...matrixFilterSchema.parse({}), ...filter }) : {};
  return `/compliance${queryString({ tab: tab === "overview" ? undefined : tab, ...params })}`;
}

export function exportHref(format: "csv" | "json", filter: MatrixFilter): string {
  // The export is the whole filtered matrix, so neither page number is part of it.
  return `/api/compliance/export${queryString({ format, ...matrixParams({ ...filter, page: 1, cols: 1 }) })}`;
}
