import "server-only";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { containsInsensitive } from "@/db/sql-dialect";
import { clusterHealth, clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import { COMPLIANCE_STATES, configurationStatus, configurationStatusHistory, objectStatus, sourceStatus, type ComplianceState, type ConfigurationStatus, type ObjectStatus, type SourceStatus } from "@/db/schema-status";
import { driftCondition, staleBefore, type DriftKind } from "./dashboard";

// The configuration detail page's reads: one row per target cluster, the objects behind a
// row, the source's head, and a pair's state history. All by primary key or index.

const cs = configurationStatus;

export type ClusterStatusRow = ConfigurationStatus & {
  clusterName: string;
  clusterDisplayName: string;
  reachability: string | null;
  isStale: boolean;
};

export type ConfigurationStatusPage = {
  total: number;
  byState: Record<ComplianceState, number>;
  rows: ClusterStatusRow[];
  source: SourceStatus | null;
};

export type StatusRowFilter = {
  state?: ComplianceState;
  drift?: DriftKind;
  /** Matches cluster names (substring, case-insensitive for ASCII). */
  search?: string;
  limit?: number;
  offset?: number;
};

const MAX_PAGE = 500;

/** Rows per page of a configuration's per-cluster status table (a row with its verbs and objects is about 10 KB of HTML and RSC payload; 20 keep the page under 300 KB). */
export const STATUS_PAGE_SIZE = 20;

/** `?page=` as a page number: a positive integer, else the first page. */
export function statusPage(raw: string | undefined): number {
  const page = Number(raw);
  return Number.isInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1;
}

const isStale = (status: ConfigurationStatus, stale: Date) => status.observedAt < stale || (status.lastSeenAt ?? new Date(0)) < stale;

const worstFirst = () => sql`case ${cs.state} ${sql.join(COMPLIANCE_STATES.map((state, index) => sql`when ${state} then ${sql.raw(String(index))}`), sql` `)} end`;

/** One row per target cluster (worst first, then by name), with counts by state over all targets. */
export function configurationStatusRows(configurationId: string, filter: StatusRowFilter = {}): ConfigurationStatusPage {
  const db = getDb();
  const where = and(
    eq(cs.configurationId, configurationId),
    filter.state ? eq(cs.state, filter.state) : undefined,
    driftCondition(filter.drift),
    filter.search ? containsInsensitive(clusters.name, filter.search) : undefined,
  );
  const severity = worstFirst();
  const stale = staleBefore();
  const rows = db
    .select({ status: cs, clusterName: clusters.name, clusterDisplayName: clusters.displayName, reachability: clusterHealth.state })
    .from(cs)
    .innerJoin(clusters, eq(clusters.id, cs.clusterId))
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, cs.clusterId))
    .where(where)
    .orderBy(severity, asc(clusters.name))
    .limit(Math.min(filter.limit ?? 100, MAX_PAGE))
    .offset(filter.offset ?? 0)
    .all()
    .map(({ status, ...rest }): ClusterStatusRow => ({ ...status, ...rest, isStale: isStale(status, stale) }));
  const counts = db.select({ state: cs.state, n: sql<number>`count(*)` }).from(cs).where(eq(cs.configurationId, configurationId)).groupBy(cs.state).all();
  const byState = Object.fromEntries(COMPLIANCE_STATES.map((state) => [state, 0])) as Record<ComplianceState, number>;
  for (const { state, n } of counts) byState[state] = n;
  const total = filter.state || filter.drift || filter.search ? (db.select({ n: sql<number>`count(*)` }).from(cs).innerJoin(clusters, eq(clusters.id, cs.clusterId)).where(where).get()?.n ?? 0) : Object.values(byState).reduce((a, b) => a + b, 0);
  const source = db.select().from(sourceStatus).where(eq(sourceStatus.configurationId, configurationId)).get() ?? null;
  return { total, byState, rows, source };
}

/** The Flux objects behind one row, with their Ready words and Kustomization inventories. */
export function objectStatuses(clusterId: string, configurationId: string): ObjectStatus[] {
  return objectStatusesByCluster(configurationId, [clusterId]).get(clusterId) ?? [];
}

/** The objects behind a page of rows, by cluster: one indexed read for the page, not one per row. */
export function objectStatusesByCluster(configurationId: string, clusterIds: readonly string[]): Map<string, ObjectStatus[]> {
  const byCluster = new Map<string, ObjectStatus[]>();
  if (clusterIds.length === 0) return byCluster;
  const rows = getDb()
    .select()
    .from(objectStatus)
    .where(and(eq(objectStatus.configurationId, configurationId), inArray(objectStatus.clusterId, [...clusterIds])))
    .orderBy(asc(objectStatus.clusterId), asc(objectStatus.kind), asc(objectStatus.namespace), asc(objectStatus.name))
    .all();
  for (const row of rows) byCluster.set(row.clusterId, [...(byCluster.get(row.clusterId) ?? []), row]);
  return byCluster;
}

/** One pair's current row (for a detail panel), or undefined. */
export function statusOf(clusterId: string, configurationId: string): ConfigurationStatus | undefined {
  return getDb().select().from(cs).where(and(eq(cs.configurationId, configurationId), eq(cs.clusterId, clusterId))).get();
}

export type HistoryEntry = { at: Date; clusterId: string; state: ComplianceState; previousState: ComplianceState | null; reason: string | null };

/** State changes of a configuration (optionally on one cluster), newest first. */
export function statusHistory(configurationId: string, { clusterId, limit = 50 }: { clusterId?: string; limit?: number } = {}): HistoryEntry[] {
  const h = configurationStatusHistory;
  return getDb()
    .select({ at: h.at, clusterId: h.clusterId, state: h.state, previousState: h.previousState, reason: h.reason })
    .from(h)
    .where(and(eq(h.configurationId, configurationId), clusterId ? eq(h.clusterId, clusterId) : undefined))
    .orderBy(desc(h.at), desc(h.id))
    .limit(Math.min(limit, MAX_PAGE))
    .all();
}

/** Pairs by state for every configuration: the compliance summary on the configurations list. */
export function complianceByConfiguration(): Map<string, Record<ComplianceState, number>> {
  const rows = getDb().select({ configurationId: cs.configurationId, state: cs.state, n: sql<number>`count(*)` }).from(cs).groupBy(cs.configurationId, cs.state).all();
  const out = new Map<string, Record<ComplianceState, number>>();
  for (const { configurationId, state, n } of rows) {
    const counts = out.get(configurationId) ?? (Object.fromEntries(COMPLIANCE_STATES.map((s) => [s, 0])) as Record<ComplianceState, number>);
    counts[state] = n;
    out.set(configurationId, counts);
  }
  return out;
}

export type ClusterConfigurationStatus = ConfigurationStatus & { configurationName: string; isStale: boolean };

/** One cluster's row for every configuration observed there, worst first, then by name. */
export function clusterConfigurationStatuses(clusterId: string): ClusterConfigurationStatus[] {
  const severity = worstFirst();
  const stale = staleBefore();
  return getDb()
    .select({ status: cs, configurationName: configurations.name })
    .from(cs)
    .innerJoin(configurations, eq(configurations.id, cs.configurationId))
    .where(eq(cs.clusterId, clusterId))
    .orderBy(severity, asc(configurations.name))
    .all()
    .map(({ status, configurationName }) => ({ ...status, configurationName, isStale: isStale(status, stale) }));
}
