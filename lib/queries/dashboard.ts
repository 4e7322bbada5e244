import "server-only";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Reconciler } from "@/db/schema";
import { configurations, rollouts } from "@/db/schema-configurations";
import { configurationStatus, configurationStatusHistory, type ComplianceState } from "@/db/schema-status";
import { listAssignments } from "@/lib/compliance/assignments";
import { fleetPairTotals } from "@/lib/compliance/fleet-totals";
import { env } from "@/lib/env";
import { cachedCompliance } from "./compliance";

// The fleet dashboard's reads: a handful of aggregate queries over configuration_status,
// each answered from an index or one pass over the table, never a fan-out to clusters.

export type DriftKind = "config" | "revision" | "resource" | "any";
export type DriftFilter = { drift?: DriftKind };

export type FleetTotals = {
  total: number;
  byState: Record<ComplianceState, number>;
  drift: { config: number; revision: number; resource: number };
};

const cs = configurationStatus;

const anyDrift = sql`(${cs.hasConfigDrift} = 1 or ${cs.hasRevisionDrift} = 1 or ${cs.hasResourceDrift} = 1)`;

/** The SQL condition for "has this kind of drift", for every query that filters by drift. */
export function driftCondition(kind: DriftKind | undefined): SQL | undefined {
  if (kind === "config") return eq(cs.hasConfigDrift, true);
  if (kind === "revision") return eq(cs.hasRevisionDrift, true);
  if (kind === "resource") return eq(cs.hasResourceDrift, true);
  if (kind === "any") return anyDrift;
  return undefined;
}

/** Three collection intervals without a fresh observation, or without reaching the cluster: stale. */
export function staleBefore(now = Date.now()): Date {
  return new Date(now - 3 * env().FLEETLINE_STATUS_INTERVAL_S * 1000);
}

/**
 * (cluster, configuration) pairs by state, and how many carry each kind of drift: the pairs
 * /compliance counts (lib/compliance/fleet-totals), so the two pages never disagree.
 */
export function fleetTotals(filter: DriftFilter = {}): FleetTotals {
  const all = listAssignments();
  // Every pair of the fleet (100,000 at 10k x 10): cached per compliance epoch like /compliance, exact after any change.
  return cachedCompliance("fleet-totals", [all, filter.drift ?? null], () => fleetPairTotals(all, filter.drift));
}

export type AttentionRow = {
  clusterId: string;
  name: string;
  displayName: string;
  configurations: number;
  nonCompliant: number;
  unknown: number;
  pending: number;
  drifted: number;
  oldestObservedAt: Date | null;
  lastSeenAt: Date | null;
  reachability: string | null;
  reachabilityReason: string | null;
  /** The cluster's reconciler: the admin's override, else the detected one, else the one its rows were read with. */
  reconciler: Reconciler | null;
  isStale: boolean;
};

/** A row as SQLite returns it: times as epoch milliseconds, staleness not yet derived, the window's total. */
type AttentionSqlRow = Omit<AttentionRow, "oldestObservedAt" | "lastSeenAt" | "isStale"> & {
  oldestObservedAt: number | null;
  lastSeenAt: number | null;
  total: number;
};

/**
 * Clusters with a non-compliant or unknown configuration, or whose status is stale: worst first.
 * The per-cluster aggregate is one ordered pass over configuration_status_cluster_summary_idx
 * (no table rows, no temporary b-tree); names and health are joined to the clusters that qualify,
 * and the total comes from a window over them rather than a second pass.
 */
export function clustersNeedingAttention({ limit = 20, drift }: DriftFilter & { limit?: number } = {}): { total: number; rows: AttentionRow[] } {
  const stale = staleBefore().getTime();
  const driftWhere = driftCondition(drift);
  const grouped = getDb().all<AttentionSqlRow>(sql`
    -- camelCase aliases are quoted: PostgreSQL folds unquoted names to lower case.
    with per_cluster as (
      select ${cs.clusterId} as cluster_id,
        count(*) as configurations,
        count(*) filter (where ${cs.state} = 'Non-Compliant') as non_compliant,
        count(*) filter (where ${cs.state} = 'Unknown') as unknown,
        count(*) filter (where ${cs.state} = 'Pending') as pending,
        count(*) filter (where ${anyDrift}) as drifted,
        min(${cs.observedAt}) as oldest_observed_at,
        max(${cs.lastSeenAt}) as last_seen_at,
        max(${cs.reconciler}) as seen_reconciler
      from ${cs} ${driftWhere ? sql`where ${driftWhere}` : sql``}
      group by ${cs.clusterId}
    )
    select p.cluster_id as "clusterId", c.name as name, c.display_name as "displayName", p.configurations as configurations,
      p.non_compliant as "nonCompliant", p.unknown as unknown, p.pending as pending, p.drifted as drifted,
      p.oldest_observed_at as "oldestObservedAt", p.last_seen_at as "lastSeenAt",
      h.state as reachability, h.reason as "reachabilityReason",
      coalesce(c.reconciler_override, h.detected_reconciler, p.seen_reconciler) as reconciler,
      count(*) over () as total
    from per_cluster p
      join ${clusters} c on c.id = p.cluster_id
      left join ${clusterHealth} h on h.cluster_id = p.cluster_id
    where p.non_compliant + p.unknown > 0 or p.oldest_observed_at < ${stale} or coalesce(p.last_seen_at, 0) < ${stale} or h.state = 'unreachable'
    order by p.non_compliant desc, p.unknown desc, c.name
    limit ${limit}`);
  // A cluster that is down (or was never reached) needs attention even with no configuration on it.
  const away = drift
    ? []
    : getDb()
        .select({
          clusterId: clusters.id,
          name: clusters.name,
          displayName: clusters.displayName,
          configurations: sql<number>`0`,
          nonCompliant: sql<number>`0`,
          unknown: sql<number>`0`,
          pending: sql<number>`0`,
          drifted: sql<number>`0`,
          oldestObservedAt: sql<number | null>`null`,
          lastSeenAt: sql<number | null>`${clusterHealth.lastSeenAt}`,
          reachability: clusterHealth.state,
          reachabilityReason: sql<string | null>`coalesce(${clusterHealth.reason}, 'not reached yet')`,
          reconciler: sql<Reconciler | null>`coalesce(${clusters.reconcilerOverride}, ${clusterHealth.detectedReconciler})`,
        })
        .from(clusters)
        .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
        .where(sql`(${clusterHealth.state} is null or ${clusterHealth.state} != 'reachable') and not exists (select 1 from ${cs} where ${cs.clusterId} = ${clusters.id})`)
        .orderBy(clusters.name)
        .all();
  // Down clusters with nothing on them first: nothing else on the list says they are away.
  const rows = [...away.map((row) => ({ ...row, total: 0 })), ...grouped].slice(0, limit).map((row): AttentionRow => ({
    clusterId: row.clusterId,
    name: row.name,
    displayName: row.displayName,
    configurations: row.configurations,
    nonCompliant: row.nonCompliant,
    unknown: row.unknown,
    pending: row.pending,
    drifted: row.drifted,
    reachability: row.reachability,
    reachabilityReason: row.reachabilityReason,
    reconciler: row.reconciler,
    oldestObservedAt: row.oldestObservedAt === null ? null : new Date(row.oldestObservedAt),
    lastSeenAt: row.lastSeenAt === null ? null : new Date(row.lastSeenAt),
    // Not observed lately (the collector fell behind), or not seen lately (the cluster is away).
    isStale: (row.oldestObservedAt ?? 0) < stale || (row.lastSeenAt ?? 0) < stale,
  }));
  return { total: (grouped[0]?.total ?? 0) + away.length, rows };
}

export type ConfigurationCount = { configurationId: string; name: string; nonCompliant: number; targets: number };

/** The configurations with the most non-compliant clusters. */
export function mostNonCompliantConfigurations({ limit = 10, drift }: DriftFilter & { limit?: number } = {}): ConfigurationCount[] {
  const db = getDb();
  const top = db
    .select({ configurationId: cs.configurationId, nonCompliant: sql<number>`count(*)` })
    .from(cs)
    .where(and(eq(cs.state, "Non-Compliant"), driftCondition(drift)))
    .groupBy(cs.configurationId)
    .orderBy(sql`count(*) desc`)
    .limit(limit)
    .all();
  // Index-only counts (configuration_status_configuration_state_idx), one per listed configuration.
  return top.map((row) => {
    const configuration = db.select({ name: configurations.name }).from(configurations).where(eq(configurations.id, row.configurationId)).get();
    const targets = db.select({ n: sql<number>`count(*)` }).from(cs).where(eq(cs.configurationId, row.configurationId)).get()?.n ?? 0;
    return { ...row, name: configuration?.name ?? "", targets };
  });
}

export type TimelineEvent =
  | { type: "state"; at: Date; clusterId: string; clusterName: string; configurationId: string; configurationName: string; state: ComplianceState; previousState: ComplianceState | null; reason: string | null }
  | { type: "push"; at: Date; rolloutId: string; configurationId: string; configurationName: string; version: number; trigger: string; state: string; createdBy: string };

/** State changes and pushes, newest first, merged. */
export function recentTimeline(limit = 30): TimelineEvent[] {
  const db = getDb();
  const h = configurationStatusHistory;
  const changes = db
    .select({ at: h.at, clusterId: h.clusterId, clusterName: clusters.name, configurationId: h.configurationId, configurationName: configurations.name, state: h.state, previousState: h.previousState, reason: h.reason })
    .from(h)
    .innerJoin(clusters, eq(clusters.id, h.clusterId))
    .innerJoin(configurations, eq(configurations.id, h.configurationId))
    .orderBy(desc(h.at), desc(h.id))
    .limit(limit)
    .all();
  const pushes = db
    .select({ at: rollouts.createdAt, rolloutId: rollouts.id, configurationId: rollouts.configurationId, configurationName: configurations.name, version: rollouts.version, trigger: rollouts.trigger, state: rollouts.state, createdBy: rollouts.createdBy })
    .from(rollouts)
    .innerJoin(configurations, eq(configurations.id, rollouts.configurationId))
    .orderBy(desc(rollouts.sequence))
    .limit(limit)
    .all();
  const events: TimelineEvent[] = [...changes.map((c) => ({ type: "state" as const, ...c })), ...pushes.map((p) => ({ type: "push" as const, ...p }))];
  return events.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}

/** When the collector last wrote an observation (null before the first sweep). */
export function lastRefreshAt(): Date | null {
  const row = getDb().select({ at: sql<number | null>`max(${cs.observedAt})` }).from(cs).get();
  return row?.at == null ? null : new Date(row.at);
}

export type DashboardSummary = {
  totals: FleetTotals;
  attention: ReturnType<typeof clustersNeedingAttention>;
  mostNonCompliant: ConfigurationCount[];
  timeline: TimelineEvent[];
  lastRefreshAt: Date | null;
};

/** Everything the dashboard shows, for the page's first render and its polling endpoint. */
export function dashboardSummary(filter: DriftFilter = {}): DashboardSummary {
  return {
    totals: fleetTotals(filter),
    attention: clustersNeedingAttention(filter),
    mostNonCompliant: mostNonCompliantConfigurations(filter),
    timeline: recentTimeline(),
    lastRefreshAt: lastRefreshAt(),
  };
}
