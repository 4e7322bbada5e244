import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComplianceState } from "@/db/schema-status";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";
import type { MatrixFilter } from "./filters";

// Compliance end to end on real API servers with the Flux stand-in: a configuration pushed to
// one prod cluster, an audit assignment on env=prod, and the collector filling in states. The
// stand-in honours spec.interval (10m), so only a change on the cluster makes it reconcile.
let fleet: FleetFixture;
let assignments: typeof import("./assignments");
let matrix: typeof import("./matrix");
let summary: typeof import("./summary");
let collector: typeof import("@/lib/observe/loop");
let registry: typeof import("@/lib/inventory/registry");
let filters: typeof import("./filters");
let baselineId = "";
let assignmentId = "";

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 3, name: "cmp", resyncMs: 0, labels: (i) => ({ env: i < 2 ? "prod" : "dev" }) });
  [assignments, matrix, summary, collector, registry, filters] = await Promise.all([
    import("./assignments"),
    import("./matrix"),
    import("./summary"),
    import("@/lib/observe/loop"),
    import("@/lib/inventory/registry"),
    import("./filters"),
  ]);
});

afterAll(async () => {
  await fleet?.stop();
});

const id = (index: number) => fleet.clusterIds[index]!;

/** The audit assignment's column: cluster -> "state: reason". */
function auditCells(extra: Partial<MatrixFilter> = {}): Record<string, string> {
  const m = matrix.loadMatrix(filters.matrixFilterSchema.parse({ view: "assignments", assignment: assignmentId, ...extra }), assignments.listAssignments());
  return Object.fromEntries(m.rows.map((r) => [r.name, `${r.cells.get(assignmentId)?.state}: ${r.cells.get(assignmentId)?.reason}`]));
}

function auditCounts() {
  return summary.loadSummary(assignments.listAssignments()).byAssignment.find((a) => a.assignment.id === assignmentId)!.counts;
}

async function sweepUntil(clusterIndex: number, state: ComplianceState, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.runStatusSweep({ gitMaxAgeMs: 0, resourceDrift: false });
    const cell = matrix.matrixCells(filters.matrixFilterSchema.parse({}), assignments.listAssignments(), [id(clusterIndex)])[0];
    if (cell?.state === state) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${state}; last cell: ${JSON.stringify(cell)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function patchPath(clusterIndex: number, path: string): Promise<void> {
  const ref = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "baseline-infra" };
  await fleet.harness.clusters[clusterIndex]!.rest().mergePatch(ref, { spec: { path } });
}

describe("an audit assignment on env=prod", () => {
  it("a prod cluster without the configuration is Non-Compliant: not applied", async () => {
    const saved = fleet.save({
      name: "baseline",
      scope: "cluster",
      source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
      kustomizations: [{ name: "infra", path: "./infrastructure", prune: true }],
      // Pushed to cmp-1 only: cmp-2, also env=prod, never gets it.
      targets: { clusterIds: [id(0)] },
    });
    baselineId = saved.id;
    expect((await fleet.push(saved.id, saved.version)).counts.applied).toBe(1);
    const created = assignments.createAssignment({ name: "baseline-prod", configurationId: baselineId, selector: "env=prod" }, fleet.actor.email);
    if (created.status !== "ok") throw new Error(JSON.stringify(created));
    assignmentId = created.assignment.id;

    await sweepUntil(0, "Compliant");
    expect(auditCells()).toEqual({ "cmp-1": "Compliant: GitRepository/baseline: Succeeded", "cmp-2": "Non-Compliant: not applied" });
    expect(auditCounts()).toMatchObject({ total: 2, Compliant: 1, "Non-Compliant": 1 });
    const s = summary.loadSummary(assignments.listAssignments());
    expect(s.fleet).toMatchObject({ total: 2, Compliant: 1 });
    // The configuration's own targets (cmp-1) are fully compliant; the audit says half of prod is.
    expect(s.byAssignment.map((a) => [a.assignment.name, a.assignment.effect, a.counts.Compliant, a.counts.total])).toEqual([
      ["baseline", "deploy", 1, 1],
      ["baseline-prod", "audit", 1, 2],
    ]);
    expect(s.nonCompliant).toEqual([expect.objectContaining({ clusterName: "cmp-2", configurationName: "baseline", reason: "not applied", since: null })]);
  });

  it("breaking one cluster's path makes it Non-Compliant and the percentages move", async () => {
    await patchPath(0, "./does-not-exist");
    await sweepUntil(0, "Non-Compliant");
    expect(auditCells()["cmp-1"]).toMatch(/^Non-Compliant: Kustomization\/baseline-infra: /);
    expect(auditCounts()).toMatchObject({ total: 2, Compliant: 0, "Non-Compliant": 2 });
    // The hand edit is also configuration drift, which the drift filter finds.
    expect(Object.keys(auditCells({ drift: "config" }))).toEqual(["cmp-1"]);
    const nonCompliant = summary.loadSummary(assignments.listAssignments()).nonCompliant;
    expect(nonCompliant.find((r) => r.clusterName === "cmp-1")?.since).toBeInstanceOf(Date);

    await patchPath(0, "./infrastructure");
    await sweepUntil(0, "Compliant");
    expect(auditCounts()).toMatchObject({ total: 2, Compliant: 1 });
  });

  it("relabelling a cluster moves it into and out of scope", () => {
    registry.updateClusterLabels(id(2), { env: "prod" });
    expect(auditCells()).toEqual({ "cmp-1": "Compliant: GitRepository/baseline: Succeeded", "cmp-2": "Non-Compliant: not applied", "cmp-3": "Non-Compliant: not applied" });
    expect(auditCounts()).toMatchObject({ total: 3, Compliant: 1 });
    registry.updateClusterLabels(id(1), { env: "dev" });
    expect(Object.keys(auditCells())).toEqual(["cmp-1", "cmp-3"]);
    expect(auditCounts()).toMatchObject({ total: 2, Compliant: 1 });
  });
});
