import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import type { Assignment } from "@/lib/compliance/assignments";
import type { MatrixFilter } from "@/lib/compliance/filters";
import { loadMatrix as loadMatrixWith, loadMatrixFrame, type Matrix } from "@/lib/compliance/matrix";
import { loadSummary as computeSummary, SUMMARY_LABEL_KEYS, type ComplianceSummary } from "@/lib/compliance/summary";
import { readVersioned } from "./computed";

// The compliance page's reads. The queries themselves live beside the compliance domain
// (lib/compliance: cells, states, selectors), which the export route and the trend share.
//
// At 10,000 clusters x 10 configurations the summary and the matrix's frame each work out
// 100,000 cells (seconds on a busy machine), while the inputs change far less often than the
// page is read. Both are cached per compliance epoch (db/schema-compliance.ts), which triggers
// move on every change those figures depend on: a read after any change recomputes, so a
// figure is never stale; the matrix's cells (with their observation times) are always fresh.

export { listAssignments, listStoredAssignments, type Assignment, type AssignmentListing } from "@/lib/compliance/assignments";
export { loadTrend } from "@/lib/compliance/trend";
export { listConfigurations } from "@/lib/configurations/store";

/** The compliance epoch: moves on every change the compliance figures depend on. */
export function complianceEpoch(): number {
  return getDb().get<{ value: number } | undefined>(sql`select value from compliance_epoch where id = 1`)?.value ?? 0;
}

/** `compute()`'s result for these inputs, kept until the compliance epoch moves. */
export function cachedCompliance<T>(kind: string, inputs: unknown, compute: () => T): T {
  const key = `compliance:${kind}:${createHash("sha256").update(JSON.stringify(inputs)).digest("base64url")}`;
  return readVersioned(key, String(complianceEpoch()), compute);
}

export function loadSummary(all: readonly Assignment[], labelKeys: readonly string[] = SUMMARY_LABEL_KEYS): ComplianceSummary {
  return cachedCompliance("summary", [all, labelKeys], () => computeSummary(all, labelKeys));
}

export function loadMatrix(f: MatrixFilter, all: readonly Assignment[]): Matrix {
  return loadMatrixWith(f, all, cachedCompliance("matrix", [f, all], () => loadMatrixFrame(f, all)));
}
