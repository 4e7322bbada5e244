import "server-only";
import { asc, count, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { POLICY_SEVERITIES, policyReads, policyResults, policyViolations, type PolicyEngine, type PolicyResultRow, type PolicySeverity, type PolicyViolationRow } from "@/db/schema-policy";
import { configurationStatus, type ComplianceState } from "@/db/schema-status";
import { env } from "@/lib/env";
import { matchesSelector } from "@/lib/validation/label-selector";
import { WaiverCoverage } from "./waivers";
import { POLICY_STATES, type PolicyFilter, type PolicyState } from "./filter";

export { POLICY_STATES, type PolicyFilter, type PolicyState } from "./filter";

export function staleAfterMs(engine: PolicyEngine): number {
  const e = env();
  return (engine === "gatekeeper" ? e.FLEETLINE_POLICY_STALE_S : e.FLEETLINE_REPORT_STALE_S) * 1000;
}

export function policyState(row: Pick<PolicyResultRow, "engine" | "auditedAt" | "fail" | "error">, now: number, accepted: (() => boolean) | boolean = false): PolicyState {
  if (row.auditedAt === null) return "not-audited";
  if (now - row.auditedAt.getTime() > staleAfterMs(row.engine)) return "stale";
  if (row.fail + row.error === 0) return "pass";
  return (typeof accepted === "function" ? accepted() : accepted) ? "accepted" : "fail";
}

type ClusterRef = { id: string; name: string; labels: Record<string, string> };

function clustersMatching(labels: Record<string, string> | undefined): ClusterRef[] {
  const all = getDb().select({ id: clusters.id, name: clusters.name, labels: clusters.labels }).from(clusters).orderBy(asc(clusters.name)).all();
  return labels && Object.keys(labels).length > 0 ? all.filter((c) => matchesSelector(c.labels, { matchLabels: labels, matchExpressions: [] })) : all;
}

export type PolicyCounts = Record<PolicyState, number>;
const emptyCounts = (): PolicyCounts => ({ fail: 0, stale: 0, "not-audited": 0, accepted: 0, pass: 0 });

export type ClusterPolicyRow = ClusterRef & {
  policies: PolicyCounts;
  violations: number;
  warnings: number;
  readError: string | null;
  readAt: Date | null;
  gitops: Record<ComplianceState, number>;
};

export type PolicyRow = { key: string; engine: PolicyEngine; policy: string; source: string; category: string | null; severity: PolicySeverity | null; clusters: PolicyCounts; violations: number };

export type PolicyView = {
  /** The cluster-centric view: GitOps and policy states side by side, worst first. */
  clusters: ClusterPolicyRow[];
  /** One row per policy across the (filtered) fleet, failing on most clusters first. */
  policies: PolicyRow[];
};

const policyKey = (engine: PolicyEngine, policy: string) => `${engine}\u0000${policy}`;
const SEVERITY_RANK = sql.raw(`case severity ${POLICY_SEVERITIES.map((s, i) => `when '${s}' then ${i}`).join(" ")} end`);

/**
 * The filtered results with each one's state as SQLite judges it (before waivers): not audited,
 * stale (older than the engine's threshold), passing, or failing. Waivers are few; the callers
 * move the failing results they cover to accepted afterwards.
 */
function judgedResults(filter: PolicyFilter, now: number, clusterIds?: readonly string[]) {
  const gatekeeperCut = now - staleAfterMs("gatekeeper");
  const reportCut = now - staleAfterMs("policyreport");
  const where = [
    filter.engine ? sql`engine = ${filter.engine}` : undefined,
    filter.severity ? sql`severity = ${filter.severity}` : undefined,
    clusterIds ? sql`cluster_id in (${sql.join(clusterIds.map((id) => sql`${id}`), sql`, `)})` : undefined,
  ].filter((w) => w !== undefined);
  return sql`select cluster_id, engine, policy, source, category, severity, fail, error, warn,
      case when audited_at is null then 'not-audited'
           when audited_at < (case when engine = 'gatekeeper' then cast(${gatekeeperCut} as bigint) else cast(${reportCut} as bigint) end) then 'stale'
           when fail + error = 0 then 'pass' else 'fail' end as state
    from policy_results ${where.length > 0 ? sql`where ${sql.join(where, sql` and `)}` : sql``}`;
}

/** The failing results an approved, unexpired waiver covers (as cluster, policy-key pairs). */
function acceptedPairs(coverage: WaiverCoverage, filter: PolicyFilter, now: number, clusterIds?: readonly string[]): { clusterId: string; key: string; violations: number }[] {
  if (coverage.empty) return [];
  const rows = getDb().all<{ cluster_id: string; engine: PolicyEngine; policy: string; fail: number; error: number; state: PolicyState }>(
    sql`select cluster_id, engine, policy, fail, error, state from (${judgedResults(filter, now, clusterIds)}) as judged where state = 'fail' and (${sql.join(
      coverage.policies().map(([engine, policy]) => sql`(engine = ${engine} and policy = ${policy})`),
      sql` or `,
    )})`,
  );
  return rows
    .filter((r) => coverage.forResult({ clusterId: r.cluster_id, engine: r.engine, policy: r.policy, fail: r.fail, error: r.error }) !== undefined)
    .map((r) => ({ clusterId: r.cluster_id, key: policyKey(r.engine, r.policy), violations: r.fail + r.error }));
}

/**
 * The fleet's policies, counted by SQLite: per cluster (filtered by labels and, with a state
 * filter, to those with a result in that state) and per policy (only results in that state),
 * then the results waivers cover moved from failing to accepted.
 */
export function policyView(filter: PolicyFilter = {}, now = Date.now()): PolicyView {
  const db = getDb();
  const scope = clustersMatching(filter.labels);
  const byId = new Map<string, ClusterPolicyRow>(
    scope.map((c) => [c.id, { ...c, policies: emptyCounts(), violations: 0, warnings: 0, readError: null, readAt: null, gitops: { "Non-Compliant": 0, Pending: 0, Unknown: 0, Suspended: 0, Compliant: 0 } }]),
  );
  // Without a label filter every cluster is in scope (results outlive no cluster: they cascade).
  const inScope = filter.labels ? sql`where cluster_id in (${sql.join(scope.map((c) => sql`${c.id}`), sql`, `)})` : sql``;
  type Group = { kind: "c" | "p"; a: string; b: string | null; state: PolicyState; n: number; v: number; w: number; source: string | null; category: string | null; severity: number | null };
  const groups = db.all<Group>(sql`with r as (${judgedResults(filter, now)})
    select 'c' as kind, cluster_id as a, null as b, state, count(*) as n, sum(fail + error) as v, sum(warn) as w, null as source, null as category, null as severity from r group by cluster_id, state
    union all
    select 'p', engine, policy, state, count(*), sum(fail + error), 0, max(source), max(category), min(${SEVERITY_RANK}) from r ${inScope} group by engine, policy, state`);
  const byKey = new Map<string, PolicyRow>();
  for (const g of groups) {
    if (g.kind === "c") {
      const cluster = byId.get(g.a);
      if (!cluster) continue;
      cluster.policies[g.state] += g.n;
      cluster.violations += g.v;
      cluster.warnings += g.w;
      continue;
    }
    const engine = g.a as PolicyEngine;
    const key = policyKey(engine, g.b!);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { key, engine, policy: g.b!, source: g.source ?? "", category: g.category, severity: g.severity === null ? null : (POLICY_SEVERITIES[g.severity] ?? null), clusters: emptyCounts(), violations: 0 };
      byKey.set(key, entry);
    } else if (g.severity !== null && (entry.severity === null || g.severity < POLICY_SEVERITIES.indexOf(entry.severity))) entry.severity = POLICY_SEVERITIES[g.severity] ?? entry.severity;
    entry.clusters[g.state] += g.n;
    if (!filter.state || g.state === filter.state) entry.violations += g.v;
  }
  for (const pair of acceptedPairs(new WaiverCoverage(new Date(now)), filter, now)) {
    const cluster = byId.get(pair.clusterId);
    const entry = byKey.get(pair.key);
    if (!cluster || !entry) continue;
    cluster.policies.fail--;
    cluster.policies.accepted++;
    entry.clusters.fail--;
    entry.clusters.accepted++;
    if (filter.state === "fail") entry.violations -= pair.violations;
    if (filter.state === "accepted") entry.violations += pair.violations;
  }
  for (const read of db.select().from(policyReads).all()) {
    const cluster = byId.get(read.clusterId);
    if (!cluster) continue;
    if (read.error) cluster.readError = read.error;
    if (!cluster.readAt || read.readAt > cluster.readAt) cluster.readAt = read.readAt;
  }
  for (const g of db.select({ clusterId: configurationStatus.clusterId, state: configurationStatus.state, n: count() }).from(configurationStatus).groupBy(configurationStatus.clusterId, configurationStatus.state).all()) {
    const cluster = byId.get(g.clusterId);
    if (cluster) cluster.gitops[g.state] = g.n;
  }
  const rows = [...byId.values()].filter((r) => !filter.state || r.policies[filter.state] > 0);
  const badness = (r: ClusterPolicyRow) => [r.policies.fail + r.gitops["Non-Compliant"], r.policies.stale + r.gitops.Unknown + (r.readError ? 1 : 0), r.violations];
  rows.sort((a, b) => {
    const [x, y] = [badness(a), badness(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    return a.name.localeCompare(b.name);
  });
  const policies = [...byKey.values()]
    .map((p) => (filter.state ? { ...p, clusters: { ...emptyCounts(), [filter.state]: p.clusters[filter.state] } } : p))
    .filter((p) => !filter.state || p.clusters[filter.state] > 0)
    .sort((a, b) => b.clusters.fail - a.clusters.fail || b.violations - a.violations || a.policy.localeCompare(b.policy));
  return { clusters: rows, policies };
}

/** The matrix cells of some clusters (a page of them): each one's state for each policy it reports. */
export function policyCells(filter: PolicyFilter, clusterIds: readonly string[], now = Date.now()): Map<string, Map<string, PolicyState>> {
  const cells = new Map<string, Map<string, PolicyState>>();
  if (clusterIds.length === 0) return cells;
  for (const r of getDb().all<{ cluster_id: string; engine: PolicyEngine; policy: string; state: PolicyState }>(judgedResults(filter, now, clusterIds))) {
    if (filter.state && r.state !== filter.state && !(filter.state === "accepted" && r.state === "fail")) continue;
    let own = cells.get(r.cluster_id);
    if (!own) cells.set(r.cluster_id, (own = new Map()));
    own.set(policyKey(r.engine, r.policy), r.state);
  }
  for (const pair of acceptedPairs(new WaiverCoverage(new Date(now)), filter, now, clusterIds)) cells.get(pair.clusterId)?.set(pair.key, "accepted");
  if (filter.state) for (const own of cells.values()) for (const [key, state] of own) if (state !== filter.state) own.delete(key);
  return cells;
}

export const clusterPolicyRows = (filter: PolicyFilter = {}, now = Date.now()) => policyView(filter, now).clusters;
export const policyRows = (filter: PolicyFilter = {}, now = Date.now()) => policyView(filter, now).policies;

type AcceptedBy = { waiverId: string; expiresAt: Date } | null;
export type ShownViolation = PolicyViolationRow & { acceptedBy: AcceptedBy };
export type ClusterPolicyDetail = PolicyResultRow & { state: PolicyState; acceptedBy: AcceptedBy; shown: ShownViolation[] };

const acceptedBy = (w: { id: string; expiresAt: Date } | undefined): AcceptedBy => (w ? { waiverId: w.id, expiresAt: w.expiresAt } : null);

/** One cluster's policies with the violations kept for each (and the waivers that accept them), failing first. */
export function clusterPolicies(clusterId: string, now = Date.now()): ClusterPolicyDetail[] {
  const db = getDb();
  const coverage = new WaiverCoverage(new Date(now));
  const violations = db.select().from(policyViolations).where(eq(policyViolations.clusterId, clusterId)).orderBy(asc(policyViolations.ordinal)).all();
  return db
    .select()
    .from(policyResults)
    .where(eq(policyResults.clusterId, clusterId))
    .all()
    .map((row) => {
      const own = violations.filter((v) => v.engine === row.engine && v.policy === row.policy);
      const whole = coverage.empty ? undefined : coverage.forResult(row, own);
      const state = policyState(row, now, whole !== undefined);
      const shown = own.map((v) => ({ ...v, acceptedBy: acceptedBy(coverage.empty ? undefined : coverage.forViolation(clusterId, row.engine, row.policy, v)) }));
      return { ...row, state, acceptedBy: state === "accepted" ? acceptedBy(whole) : null, shown };
    })
    .sort((a, b) => POLICY_STATES.indexOf(a.state) - POLICY_STATES.indexOf(b.state) || b.fail - a.fail || a.policy.localeCompare(b.policy));
}

export type PolicyExportLine = {
  cluster: string;
  labels: Record<string, string>;
  engine: PolicyEngine;
  policy: string;
  severity: PolicySeverity | null;
  state: PolicyState;
  fail: number;
  error: number;
  warn: number;
  pass: number;
  auditedAt: Date | null;
  acceptedBy: string | null;
  acceptedUntil: Date | null;
};

/** Every cluster × policy result the page's filters select, by cluster name then policy, with the waiver accepting it. */
export function policyExportLines(filter: PolicyFilter = {}, now = Date.now()): PolicyExportLine[] {
  const scope = new Map(clustersMatching(filter.labels).map((c) => [c.id, c]));
  const coverage = new WaiverCoverage(new Date(now));
  const lines: PolicyExportLine[] = [];
  for (const row of getDb().select().from(policyResults).all()) {
    const cluster = scope.get(row.clusterId);
    if (!cluster || (filter.engine && row.engine !== filter.engine) || (filter.severity && row.severity !== filter.severity)) continue;
    const waiver = row.fail + row.error > 0 && !coverage.empty ? coverage.forResult(row) : undefined;
    const state = policyState(row, now, waiver !== undefined);
    if (filter.state && state !== filter.state) continue;
    const accepted = state === "accepted" ? waiver : undefined;
    lines.push({ cluster: cluster.name, labels: cluster.labels, engine: row.engine, policy: row.policy, severity: row.severity, state, fail: row.fail, error: row.error, warn: row.warn, pass: row.pass, auditedAt: row.auditedAt, acceptedBy: accepted?.id ?? null, acceptedUntil: accepted?.expiresAt ?? null });
  }
  return lines.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.engine.localeCompare(b.engine) || a.policy.localeCompare(b.policy));
}
