import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { jsonArray, jsonArrayValues, jsonEmbedded, jsonText } from "@/db/sql-dialect";
import type { ComplianceState } from "@/db/schema-status";
import type { Assignment } from "./assignments";
import { cellDetail, cellsCte } from "./cells-sql";
import { cellScope } from "./stored-cells";
import { addCount, emptyCounts, stateOfRank, type StateCounts } from "./states";

// The fleet at a glance: counts by state fleet-wide, per cluster, per assignment, per
// configuration and per label value, and the cells that need attention, all from one statement:
// the cells are worked out once and every figure is an aggregate over them.

export const SUMMARY_LABEL_KEYS = ["env", "region"] as const;
const NON_COMPLIANT_LIMIT = 25;

export type LabelGroup = { value: string | null; counts: StateCounts };

export type NonCompliantCell = {
  clusterId: string;
  clusterName: string;
  configurationId: string;
  configurationName: string;
  reason: string | null;
  message: string | null;
  since: Date | null;
};

export type ComplianceSummary = {
  /** One cell per (configuration, cluster) in scope of any assignment. */
  fleet: StateCounts;
  /** Clusters by their worst cell. */
  clusters: StateCounts;
  byAssignment: { assignment: Assignment; counts: StateCounts }[];
  byConfiguration: { configurationId: string; name: string; counts: StateCounts }[];
  byLabel: { key: string; groups: LabelGroup[] }[];
  /** The longest-failing Non-Compliant cells; never-applied ones (no known start) first. */
  nonCompliant: NonCompliantCell[];
};

// Each branch of the statement returns its kind and a JSON array:
type Payloads = {
  configuration: [configurationId: string, state: string, n: number];
  assignments: [assignmentIds: string[], state: string, n: number];
  cluster: [worstRank: number, n: number];
  label: [key: string, value: string | null, state: string, n: number];
  noncompliant: [clusterId: string, clusterName: string, configurationId: string, configurationName: string, reason: string | null, message: string | null, since: number | null];
};
type SummaryRecord = { [K in keyof Payloads]: { kind: K; payload: string } }[keyof Payloads];

const bySince = (a: NonCompliantCell, b: NonCompliantCell) =>
  (a.since?.getTime() ?? -Infinity) - (b.since?.getTime() ?? -Infinity) || a.clusterName.localeCompare(b.clusterName) || a.configurationName.localeCompare(b.configurationName);

function query(all: readonly Assignment[], labelKeys: readonly string[]) {
  const nonCompliant = sql`${"Non-Compliant" satisfies ComplianceState}`;
  // Label values are read once per cluster, and joined to each cluster's counts by state rather than to every cell.
  return sql`${cellsCte(cellScope(all))},
    cluster_state as (select cluster_id, rank, state, count(*) as n from pair_cell group by cluster_id, rank, state),
    cluster_label as materialized (select c.id as cluster_id, k.value as label_key, ${jsonText(sql`c.labels`, sql`k.value`)} as value from clusters c, ${jsonArrayValues(sql`${JSON.stringify(labelKeys)}`, "k")})
    select 'configuration' as kind, ${jsonArray(sql`configuration_id`, sql`state`, sql`count(*)`)} as payload from pair_cell group by configuration_id, state
    union all
    select 'assignments', ${jsonArray(jsonEmbedded(sql`assignments`), sql`state`, sql`count(*)`)} from pair_cell group by assignments, state
    union all
    select 'cluster', ${jsonArray(sql`worst`, sql`count(*)`)} from (select min(rank) as worst from cluster_state group by cluster_id) as worst_by_cluster group by worst
    union all
    select 'label', ${jsonArray(sql`l.label_key`, sql`l.value`, sql`s.state`, sql`sum(s.n)`)} from cluster_state s join cluster_label l on l.cluster_id = s.cluster_id
      group by l.label_key, l.value, s.state
    union all
    select 'noncompliant', ${jsonArray(sql`cell.cluster_id`, sql`c.name`, sql`cell.configuration_id`, sql`cfg.name`, cellDetail.reason, sql`detail.message`, sql`cell.since`)} from (
      select pair_cell.* from pair_cell join clusters on clusters.id = pair_cell.cluster_id
      where pair_cell.state = ${nonCompliant} order by pair_cell.since is not null, pair_cell.since, clusters.name limit ${NON_COMPLIANT_LIMIT}
    ) cell
      join clusters c on c.id = cell.cluster_id join configurations cfg on cfg.id = cell.configuration_id
      ${cellDetail.join}`;
}

export function loadSummary(all: readonly Assignment[], labelKeys: readonly string[] = SUMMARY_LABEL_KEYS): ComplianceSummary {
  const fleet = emptyCounts();
  const clusters = emptyCounts();
  const byConfiguration = new Map<string, StateCounts>();
  const byAssignment = new Map<string, StateCounts>();
  const byLabel = new Map<string, Map<string | null, StateCounts>>(labelKeys.map((k) => [k, new Map()]));
  const nonCompliant: NonCompliantCell[] = [];
  const bump = <K>(map: Map<K, StateCounts>, key: K, state: string, n: number) => {
    map.set(key, addCount(map.get(key) ?? emptyCounts(), state, n));
  };
  for (const record of getDb().all<SummaryRecord>(query(all, labelKeys))) {
    if (record.kind === "configuration") {
      const [configurationId, state, n] = JSON.parse(record.payload) as Payloads["configuration"];
      bump(byConfiguration, configurationId, state, n);
      addCount(fleet, state, n);
    } else if (record.kind === "assignments") {
      const [ids, state, n] = JSON.parse(record.payload) as Payloads["assignments"];
      for (const id of ids) bump(byAssignment, id, state, n);
    } else if (record.kind === "cluster") {
      const [worst, n] = JSON.parse(record.payload) as Payloads["cluster"];
      addCount(clusters, stateOfRank(worst), n);
    } else if (record.kind === "label") {
      const [key, value, state, n] = JSON.parse(record.payload) as Payloads["label"];
      const groups = byLabel.get(key);
      if (groups) bump(groups, value, state, n);
    } else {
      const [clusterId, clusterName, configurationId, configurationName, reason, message, since] = JSON.parse(record.payload) as Payloads["noncompliant"];
      nonCompliant.push({ clusterId, clusterName, configurationId, configurationName, reason, message, since: since === null ? null : new Date(since) });
    }
  }
  const names = new Map(all.map((a) => [a.configurationId, a.configurationName]));
  return {
    fleet,
    clusters,
    byAssignment: all.map((assignment) => ({ assignment, counts: byAssignment.get(assignment.id) ?? emptyCounts() })),
    byConfiguration: [...byConfiguration]
      .map(([configurationId, counts]) => ({ configurationId, name: names.get(configurationId) ?? configurationId, counts }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    byLabel: [...byLabel].map(([key, groups]) => ({
      key,
      // Clusters without the label last.
      groups: [...groups].map(([value, counts]) => ({ value, counts })).sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : a.value.localeCompare(b.value))),
    })),
    // A compound statement does not keep a branch's order: sorted again here, as the branch chose them.
    nonCompliant: nonCompliant.sort(bySince),
  };
}
