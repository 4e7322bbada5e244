// Part of `npm run bench:compliance`: the Policies tab's data at fleet scale (issue 15). Every
// cluster reports POLICIES policies (Gatekeeper and Kyverno reports), a tenth of them failing
// with a few violations each, some audits stale, and approved waivers (one for a whole policy on
// a region, one for a single resource) that the page must judge. Returns the times of what the
// page reads: the counted view (clusters, policies), a page of matrix cells and one cluster's detail.
import { performance } from "node:perf_hooks";
import type Database from "better-sqlite3";
import { sampleSync } from "./bench-proc";

const POLICIES = Number(process.env.BENCH_POLICIES ?? 30);
const RUNS = Number(process.env.BENCH_POLICY_RUNS ?? 20);

export async function benchPolicyView(sqlite: Database.Database, clusterIds: readonly string[], random: () => number): Promise<number[]> {
  const { policyView, policyCells, clusterPolicies } = await import("../lib/policy/queries");
  const now = Date.now();
  const t0 = performance.now();
  const insertResult = sqlite.prepare(
    "insert into policy_results (cluster_id, engine, policy, source, severity, pass, fail, warn, error, skip, audited_at, violations_stored, observed_at) values (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?)",
  );
  const insertViolation = sqlite.prepare(
    "insert into policy_violations (cluster_id, engine, policy, ordinal, result, resource_kind, resource_namespace, resource_name, message) values (?, ?, ?, ?, 'fail', 'Deployment', 'shop', ?, 'container app must set resources.limits.memory')",
  );
  let violations = 0;
  sqlite.transaction(() => {
    for (const clusterId of clusterIds) {
      for (let p = 0; p < POLICIES; p++) {
        const gatekeeper = p % 2 === 0;
        const engine = gatekeeper ? "gatekeeper" : "policyreport";
        const policy = gatekeeper ? `K8sRequiredLabels/policy-${p}` : `require-limits-${p}`;
        const r = random();
        const fail = r < 0.1 ? 1 + Math.floor(random() * 5) : 0;
        // A few audits from yesterday: stale for Gatekeeper (5 minutes), not for reports (3 hours... or more).
        const auditedAt = r > 0.98 ? now - 86_400_000 : now - 30_000;
        insertResult.run(clusterId, engine, policy, gatekeeper ? "gatekeeper" : "kyverno", gatekeeper ? null : "medium", fail ? 0 : 10, fail, auditedAt, fail, now);
        for (let v = 0; v < fail; v++, violations++) insertViolation.run(clusterId, engine, policy, v, `web-${v}`);
      }
    }
    const waiver = sqlite.prepare(
      "insert into policy_waivers (id, engine, policy, resource_kind, resource_namespace, resource_name, selector, reason, status, requested_by_id, requested_by, requested_at, decided_by_id, decided_by, decided_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, 'bench', 'approved', 'u1', 'a@x', ?, 'u2', 'b@x', ?, ?)",
    );
    waiver.run("w-1", "gatekeeper", "K8sRequiredLabels/policy-0", null, null, null, JSON.stringify({ matchLabels: { region: "eu-west" }, matchExpressions: [] }), now, now, now + 30 * 86_400_000);
    waiver.run("w-2", "policyreport", "require-limits-1", "Deployment", "shop", "web-0", JSON.stringify({ matchLabels: { env: "prod" }, matchExpressions: [] }), now, now, now + 30 * 86_400_000);
  })();
  console.log(`seeded ${clusterIds.length * POLICIES} policy results (${clusterIds.length} clusters x ${POLICIES} policies), ${violations} violations, 2 waivers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // What the tab reads: the view, the matrix cells of its first page of 50 clusters, one cluster's detail.
  const page = () => {
    const view = policyView({});
    policyCells({}, view.clusters.slice(0, 50).map((c) => c.id));
    return clusterPolicies(view.clusters[0]!.id);
  };
  return sampleSync(RUNS, page, 1);
}
