// The compliance cells as SQL: which (configuration, cluster) pairs are in scope of which
// assignment, and the state of each pair, "not applied" included. Every query in this
// directory starts from these CTEs so the rules live in one place.
import { and, sql, type SQL } from "drizzle-orm";
import { COMPLIANCE_STATES } from "@/db/schema-status";
import { jsonArrayAgg, jsonArrayValues, jsonInteger, jsonText, likeInsensitive, textList } from "@/db/sql-dialect";
import type { LabelSelector } from "@/lib/validation/label-selector";
import type { Assignment } from "./assignments";
import { NOT_APPLIED } from "./states";

// SQLite caps a compound SELECT at 500 terms; larger unions are nested in chunks of this size.
const UNION_CHUNK = 200;

export type CellView = "configurations" | "assignments";

export type CellScope = {
  assignments: readonly Pick<Assignment, "id" | "configurationId" | "selector" | "clusterIds">[];
  /** Cluster filters (name, label) on the `clusters` table, applied before anything is joined. */
  clusterWhere?: SQL | undefined;
  /** Only these clusters: a page of the matrix, a batch of an export. */
  clusterIds?: readonly string[] | undefined;
  /** Columns of the `cell` CTE: one per configuration, or one per assignment. */
  view?: CellView;
  /**
   * The assignment list compliance_cells currently holds (lib/compliance/stored-cells.ts), of
   * which `assignments` is all or part: the pairs are then read from that table, kept per pair
   * by triggers, instead of being worked out from selectors, targets and status rows again.
   */
  stored?: readonly Pick<Assignment, "id" | "configurationId">[] | undefined;
};

// Label keys are validated (no quotes) before they are stored; the path is a bound parameter either way.
const labelValue = (key: string): SQL => jsonText(sql`clusters.labels`, key);

/** Kubernetes selector semantics on clusters.labels: every requirement holds; NotIn also matches a missing key. */
function selectorCondition(selector: LabelSelector): SQL {
  const parts: SQL[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => sql`${labelValue(key)} = ${value}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const label = labelValue(key);
    if (operator === "In") parts.push(sql`${label} in ${textList(values)}`);
    else if (operator === "NotIn") parts.push(sql`(${label} is null or ${label} not in ${textList(values)})`);
    else if (operator === "Exists") parts.push(sql`${label} is not null`);
    else parts.push(sql`${label} is null`);
  }
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
}

/** Clusters named explicitly, or matching the selector: a configuration's targets, or an audit assignment's scope. */
function targetCondition({ selector, clusterIds }: Pick<Assignment, "selector" | "clusterIds">): SQL {
  const terms: SQL[] = [];
  if (clusterIds.length > 0) terms.push(sql`clusters.id in ${textList(clusterIds)}`);
  if (selector) terms.push(sql`(${selectorCondition(selector)})`);
  return terms.length === 0 ? sql`false` : sql`(${sql.join(terms, sql` or `)})`;
}

function unionAll(selects: SQL[]): SQL {
  // Typed nulls: PostgreSQL would take an untyped one for text and refuse to join it to the integer target.
  if (selects.length === 0) return sql`select cast(null as integer) as target, cast(null as text) as cluster_id where false`;
  if (selects.length <= UNION_CHUNK) return sql.join(selects, sql` union all `);
  const chunks: SQL[] = [];
  for (let i = 0; i < selects.length; i += UNION_CHUNK) chunks.push(sql`select * from (${sql.join(selects.slice(i, i + UNION_CHUNK), sql` union all `)}) as chunk`);
  return sql.join(chunks, sql` union all `);
}

/** Worst first, matching COMPLIANCE_STATES: the rank sorts and aggregates by severity in SQL (literal integers: a bound one has no type in PostgreSQL). */
const rankOf = (state: SQL): SQL =>
  sql`(case ${state} ${sql.join(COMPLIANCE_STATES.map((s, i) => sql`when ${s} then ${sql.raw(String(i))}`), sql` `)} else ${sql.raw(String(COMPLIANCE_STATES.indexOf("Unknown")))} end)`;

/**
 * `with` CTEs ending in:
 *   pair_cell: one row per (configuration, cluster) in scope of at least one assignment, with its
 *     state, rank, drift flags, since when, and `assignments` (a JSON array of the ids of the
 *     assignments covering it); the words behind the state come from cellDetail;
 *   cell: pair_cell with a column_id (the configuration, or each covering assignment in the
 *     assignments view).
 * A pair the configuration is missing from (not targeted there, no status row yet, or a failed
 * push that left nothing behind) is Non-Compliant with the reason "not applied". Identical targets
 * (ten configurations on env=prod) are matched against the clusters once, and per-assignment
 * questions group by `assignments` instead of joining every assignment to every pair again.
 */
export function cellsCte({ assignments, clusterWhere, clusterIds, view = "configurations", stored }: CellScope): SQL {
  const restrict = and(clusterWhere, clusterIds ? sql`clusters.id in ${textList(clusterIds)}` : undefined);
  const cell =
    view === "assignments"
      ? sql`select covering.value as column_id, pair_cell.* from pair_cell, ${jsonArrayValues(sql`pair_cell.assignments`, "covering")}`
      : sql`select pair_cell.configuration_id as column_id, pair_cell.* from pair_cell`;
  if (stored) return sql`with pair_cell as not materialized (${storedPairs(assignments, stored, restrict)}), cell as (${cell})`;
  const targetIndex = new Map<string, number>();
  const targets: SQL[] = [];
  const list = assignments.map((a) => {
    const key = JSON.stringify([a.selector, [...a.clusterIds].sort()]);
    let index = targetIndex.get(key);
    if (index === undefined) {
      index = targets.length;
      targetIndex.set(key, index);
      targets.push(targetCondition(a));
    }
    return [a.id, a.configurationId, index];
  });
  const matched = unionAll(targets.map((condition, i) => sql`select ${sql.raw(String(i))} as target, clusters.id as cluster_id from clusters where ${restrict ? sql`${condition} and ${restrict}` : condition}`));
  return sql`with
    assignment_list as (select ${jsonText(sql`list.value`, 0)} as assignment_id, ${jsonText(sql`list.value`, 1)} as configuration_id, ${jsonInteger(sql`list.value`, 2)} as target
      from ${jsonArrayValues(sql`${JSON.stringify(list)}`, "list")}),
    matched as materialized (${matched}),
    pair as (
      select assignment_list.configuration_id, matched.cluster_id, ${jsonArrayAgg(sql`assignment_list.assignment_id`)} as assignments
      from assignment_list join matched on matched.target = assignment_list.target
      group by assignment_list.configuration_id, matched.cluster_id
    ),
    -- The collector words a failed push "<Kind>/<name>: PushFailed"; with no applied version, nothing of it landed.
    raw_pair as (
      select p.configuration_id, p.cluster_id, p.assignments, s.state, s.state_changed_at,
        coalesce(s.has_config_drift, 0) as has_config_drift, coalesce(s.has_revision_drift, 0) as has_revision_drift, coalesce(s.has_resource_drift, 0) as has_resource_drift,
        case when ct.cluster_id is null or s.cluster_id is null or (s.applied_version is null and ${likeInsensitive(sql`s.reason`, "%: PushFailed")}) then 1 else 0 end as not_applied
      from pair p
      left join configuration_targets ct on ct.configuration_id = p.configuration_id and ct.cluster_id = p.cluster_id
      left join configuration_status s on s.configuration_id = p.configuration_id and s.cluster_id = p.cluster_id
    ),
    pair_cell as materialized (
      select configuration_id, cluster_id, assignments, not_applied,
        case when not_applied = 1 then 'Non-Compliant' else state end as state,
        case when not_applied = 1 then 0 else ${rankOf(sql`state`)} end as rank,
        state_changed_at as since, has_config_drift, has_revision_drift, has_resource_drift
      from raw_pair
    ),
    cell as (${cell})`;
}

/** pair_cell's columns in order: what compliance_cells stores (lib/compliance/stored-cells.ts). */
export const PAIR_CELL_COLUMNS = sql.raw("configuration_id, cluster_id, assignments, not_applied, state, rank, since, has_config_drift, has_revision_drift, has_resource_drift");

/**
 * pair_cell from compliance_cells, built for `stored` (the whole list): a part of the list keeps
 * the pairs its assignments cover (a configuration's, or one assignment's) with only their ids.
 * Not materialized: each aggregate then reads the table's covering indexes directly.
 */
function storedPairs(part: CellScope["assignments"], stored: NonNullable<CellScope["stored"]>, restrict: SQL | undefined): SQL {
  const kept = new Set(part.map((a) => a.id));
  const configurations = [...new Set(part.map((a) => a.configurationId))];
  const conditions: SQL[] = [];
  let covering = sql`cc.assignments`;
  if (stored.some((a) => !kept.has(a.id))) {
    conditions.push(sql`cc.configuration_id in ${textList(configurations)}`);
    // Some assignment of a kept configuration is left out: keep the pairs (and ids) of the kept ones only.
    if (stored.some((a) => !kept.has(a.id) && configurations.includes(a.configurationId))) {
      const ids = textList([...kept]);
      covering = sql`(select ${jsonArrayAgg(sql`k.value`)} from ${jsonArrayValues(sql`cc.assignments`, "k")} where k.value in ${ids})`;
      conditions.push(sql`exists (select 1 from ${jsonArrayValues(sql`cc.assignments`, "k")} where k.value in ${ids})`);
    }
  }
  if (restrict) conditions.push(restrict);
  return sql`select cc.configuration_id, cc.cluster_id, ${covering} as assignments, cc.not_applied, cc.state, cc.rank, cc.since,
      cc.has_config_drift, cc.has_revision_drift, cc.has_resource_drift
    from compliance_cells cc ${restrict ? sql`join clusters on clusters.id = cc.cluster_id` : sql``}
    ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}`;
}

/** The assignment ids an aggregate over pair_cell.assignments belongs to. */
export function assignmentIdsOf(assignmentsJson: string): string[] {
  return JSON.parse(assignmentsJson) as string[];
}

const detailReason = sql`case when cell.not_applied = 1 then ${NOT_APPLIED} else detail.reason end`;

/** The words behind a cell (aliased `cell`), joined only for the rows a page or an export shows. */
export const cellDetail = {
  join: sql`left join configuration_status detail on detail.configuration_id = cell.configuration_id and detail.cluster_id = cell.cluster_id`,
  reason: detailReason,
  columns: sql`${detailReason} as reason, detail.message as message, detail.observed_at as observed_at, detail.behind_by as behind_by, detail.ahead_by as ahead_by`,
};
