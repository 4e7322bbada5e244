// Pure: the compliance vocabulary's arithmetic, shared by queries, the page and the export.
import { COMPLIANCE_STATES, type ComplianceState } from "@/db/schema-status";

/** A cluster in scope without the configuration (never pushed there, push failed, not seen yet). */
export const NOT_APPLIED = "not applied";

export type StateCounts = Record<ComplianceState, number> & { total: number };

export function emptyCounts(): StateCounts {
  return { "Non-Compliant": 0, Pending: 0, Unknown: 0, Suspended: 0, Compliant: 0, total: 0 };
}

export function isComplianceState(value: unknown): value is ComplianceState {
  return typeof value === "string" && (COMPLIANCE_STATES as readonly string[]).includes(value);
}

/** Adds n cells of a state; anything outside the vocabulary counts as Unknown rather than vanishing. */
export function addCount(counts: StateCounts, state: string, n: number): StateCounts {
  const key: ComplianceState = isComplianceState(state) ? state : "Unknown";
  counts[key] += n;
  counts.total += n;
  return counts;
}

/**
 * Share of Compliant cells, rounded down to one decimal: 999 of 1,000 shows 99.9, never 100,
 * so "100%" always means every single cell. Null when nothing is in scope.
 */
export function compliantPercent(counts: Pick<StateCounts, "Compliant" | "total">): number | null {
  return sharePercent(counts.Compliant, counts.total);
}

/** Any share of the fleet's pairs (the dashboard's per-state totals too), rounded the same way. */
export function sharePercent(count: number, total: number): number | null {
  if (total <= 0) return null;
  return Math.floor((count / total) * 1000) / 10;
}

export function formatPercent(value: number | null): string {
  return value === null ? "—" : `${value.toFixed(value % 1 === 0 ? 0 : 1)}%`;
}

/** The state of a rank as SQL computes it (COMPLIANCE_STATES order: 0 is Non-Compliant, 4 is Compliant). */
export function stateOfRank(rank: number): ComplianceState {
  return COMPLIANCE_STATES[rank] ?? "Unknown";
}
