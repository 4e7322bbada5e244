import "server-only";
import { asc, count, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { policyReads, policyResults, policyViolations, type PolicyEngine, type PolicyResultRow, type PolicySeverity, type PolicyViolationRow } from "@/db/schema-policy";
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

/** The state with the waivers in force: a failing result a waiver covers is Accepted risk. */
function stateWith(coverage: WaiverCoverage, row: PolicyResultRow, now: number): PolicyState {
  return policyState(row, now, () => !coverage.empty && coverage.forResult(row) !== undefined);
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
  /** The matrix: each cluster's state for each policy it reports (keyed by PolicyRow.key). */
  cells: Map<string, Map<string, PolicyState>>;
};

const policyKey = (engine: PolicyEngine, policy: string) => `${engine}\u0000${policy}`;

/**
 * Every view of the fleet's policies from one pass over the results: each result's state is
 * judged once (waivers included). Clusters are filtered by labels and, with a state filter, to
 * those with a result in that state; policies and cells count only results in that state.
 */
export function policyView(filter: PolicyFilter = {}, now = Date.now()): PolicyView {
  const db = getDb();
  const scope = clustersMatching(filter.labels);
  const byId = new Map<string, ClusterPolicyRow>(
    scope.map((c) => [c.id, { ...c, policies: emptyCounts(), violations: 0, warnings: 0, readError: null, readAt: null, gitops: { "Non-Compliant": 0, Pending: 0, Unknown: 0, Suspended: 0, Compliant: 0 } }]),
  );
  const byKey = new Map<string, PolicyRow>();
  const cells = new Map<string, Map<string, PolicyState>>();
  const coverage = new WaiverCoverage(new Date(now));
  for (const row of db.select().from(policyResults).all()) {
    const cluster = byId.get(row.clusterId);
    if (!cluster || (filter.engine && row.engine !== filter.engine) || (filter.severity && row.severity !== filter.severity)) continue;
    const state = stateWith(coverage, row, now);
    cluster.policies[state]++;
    cluster.violations += row.fail + row.error;
    cluster.warnings += row.warn;
    if (filter.state && state !== filter.state) continue;
    const key = policyKey(row.engine, row.policy);
    let entry = byKey.get(key);
    if (!entry) {
      entry = { key, engine: row.engine, policy: row.policy, source: row.source, category: row.category, severity: row.severity, clusters: emptyCounts(), violations: 0 };
      byKey.set(key, entry);
    }
    entry.clusters[state]++;
    entry.violations += row.fail + row.error;
    let clusterCells = cells.get(row.clusterId);
    if (!clusterCells) cells.set(row.clusterId, (clusterCells = new Map()));
    clusterCells.set(key, state);
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
  const policies = [...byKey.values()].sort((a, b) => b.clusters.fail - a.clusters.fail || b.violations - a.violations || a.policy.localeCompare(b.policy));
  return { clusters: rows, policies, cells };
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
