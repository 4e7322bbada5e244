import "server-only";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Reconciler } from "@/db/schema";
import { configurations, rollouts } from "@/db/schema-configurations";
import { configurationStatus, configurationStatusHistory, type ComplianceState } from "@/db/schema-status";
import { listAssignments } from "@/lib/compliance/assignments";
import { fleetPairTotals } from "@/lib/compliance/fleet-totals";
import { env } from "@/lib/env";

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

/** The SQL condition for "has this kind of drift", for every query that filters by drift. */
export function driftCondition(kind: DriftKind | undefined): SQL | undefined {
  if (kind === "config") return eq(cs.hasConfigDrift, true);
  if (kind === "revision") return eq(cs.hasRevisionDrift, true);
  if (kind === "resource") return eq(cs.hasResourceDrift, true);
  if (kind === "any") return sql`(${cs.hasConfigDrift} or ${cs.hasRevisionDrift} or ${cs.hasResourceDrift})`;
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
  return fleetPairTotals(listAssignments(), filter.drift);
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

/** Clusters with a non-compliant or unknown configuration, or whose status is stale: worst first. */
export function clustersNeedingAttention({ limit = 20, drift }: DriftFilter & { limit?: number } = {}): { total: number; rows: AttentionRow[] } {
  const stale = staleBefore().getTime();
  const grouped = getDb()
    .select({
      clusterId: cs.clusterId,
      name: clusters.name,
      displayName: clusters.displayName,
      configurations: sql<number>`count(*)`,
      nonCompliant: sql<number>`sum(${cs.state} = 'Non-Compliant')`,
      unknown: sql<number>`sum(${cs.state} = 'Unknown')`,
      pending: sql<number>`sum(${cs.state} = 'Pending')`,
      drifted: sql<number>`sum(${cs.hasConfigDrift} or ${cs.hasRevisionDrift} or ${cs.hasResourceDrift})`,
      oldestObservedAt: sql<number | null>`min(${cs.observedAt})`,
      lastSeenAt: sql<number | null>`max(${cs.lastSeenAt})`,
      reachability: clusterHealth.state,
      reachabilityReason: clusterHealth.reason,
      reconciler: sql<Reconciler | null>`coalesce(${clusters.reconcilerOverride}, ${clusterHealth.detectedReconciler}, max(${cs.reconciler}))`,
    })
    .from(cs)
    .innerJoin(clusters, eq(clusters.id, cs.clusterId))
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, cs.clusterId))
    .where(driftCondition(drift))
    .groupBy(cs.clusterId)
    .having(sql`sum(${cs.state} in ('Non-Compliant', 'Unknown')) > 0 or min(${cs.observedAt}) < ${stale} or coalesce(max(${cs.lastSeenAt}), 0) < ${stale} or ${clusterHealth.state} = 'unreachable'`)
    .orderBy(sql`sum(${cs.state} = 'Non-Compliant') desc`, sql`sum(${cs.state} = 'Unknown') desc`, clusters.name)
    .all();
  const rows = grouped.slice(0, limit).map((row) => ({
    ...row,
    oldestObservedAt: row.oldestObservedAt === null ? null : new Date(row.oldestObservedAt),
    lastSeenAt: row.lastSeenAt === null ? null : new Date(row.lastSeenAt),
    // Not observed lately (the collector fell behind), or not seen lately (the cluster is away).
    isStale: (row.oldestObservedAt ?? 0) < stale || (row.lastSeenAt ?? 0) < stale,
  }));
  return { total: grouped.length, rows };
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
