import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { COMPLIANCE_STATES, type ComplianceState } from "@/db/schema-status";
import type { Assignment } from "./assignments";
import { cellsCte } from "./cells-sql";
import { cellScope } from "./stored-cells";

// The dashboard's totals over the same pairs as /compliance (cellsCte): every configuration's
// targets and every audit-only assignment's scope, "not applied" included. Counting status rows
// instead left out the clusters only an audit assignment puts in scope.

export type PairDrift = "config" | "revision" | "resource" | "any";

export type PairTotals = {
  total: number;
  byState: Record<ComplianceState, number>;
  drift: { config: number; revision: number; resource: number };
};

function pairDriftCondition(kind: PairDrift | undefined): SQL {
  if (kind === "config") return sql`has_config_drift = 1`;
  if (kind === "revision") return sql`has_revision_drift = 1`;
  if (kind === "resource") return sql`has_resource_drift = 1`;
  if (kind === "any") return sql`(has_config_drift = 1 or has_revision_drift = 1 or has_resource_drift = 1)`;
  return sql`true`;
}

export function fleetPairTotals(all: readonly Assignment[], drift?: PairDrift): PairTotals {
  const rows = getDb().all<{ state: string; n: number; config: number; revision: number; resource: number }>(sql`${cellsCte(cellScope(all))}
    select state, count(*) as n, coalesce(sum(has_config_drift), 0) as config, coalesce(sum(has_revision_drift), 0) as revision, coalesce(sum(has_resource_drift), 0) as resource
    from pair_cell where ${pairDriftCondition(drift)} group by state`);
  const byState = Object.fromEntries(COMPLIANCE_STATES.map((state) => [state, 0])) as Record<ComplianceState, number>;
  const totals: PairTotals = { total: 0, byState, drift: { config: 0, revision: 0, resource: 0 } };
  for (const row of rows) {
    const state: ComplianceState = (COMPLIANCE_STATES as readonly string[]).includes(row.state) ? (row.state as ComplianceState) : "Unknown";
    byState[state] += row.n;
    totals.total += row.n;
    totals.drift.config += row.config;
    totals.drift.revision += row.revision;
    totals.drift.resource += row.resource;
  }
  return totals;
}
