import { describe, expect, it } from "vitest";
import type { RolloutProgress } from "./rollouts";
import { judgeReconciliation } from "./reconciliation-wait";

type Row = RolloutProgress["clusters"][number];

const row = (clusterName: string, fields: Partial<Row>): Row =>
  ({ clusterId: `id-${clusterName}`, clusterName, action: "apply", state: "applied", reason: null, compliance: "Compliant", complianceReason: null, appliedVersion: 3, wave: 0, ...fields }) as Row;

const progress = (state: RolloutProgress["state"], clusters: Row[]) => ({ version: 3, state, clusters }) as RolloutProgress;

describe("judgeReconciliation", () => {
  it("is compliant once every counted target runs the version, Compliant; skipped, superseded and removed rows do not count", () => {
    const verdict = judgeReconciliation(progress("done", [row("a", {}), row("b", { state: "skipped", compliance: "Non-Compliant" }), row("c", { state: "superseded", appliedVersion: 2 }), row("d", { action: "remove", state: "removed" })]));
    expect(verdict).toEqual({ result: "compliant", settled: true, targets: 1, compliant: 1, clusters: [] });
  });

  it("keeps waiting while a target runs an older version or is not Compliant yet, and says which and why", () => {
    const verdict = judgeReconciliation(progress("done", [row("a", { appliedVersion: 2 }), row("b", { compliance: "Non-Compliant", complianceReason: "Kustomization/x: BuildFailed" }), row("c", { compliance: null, appliedVersion: null })]));
    expect(verdict.settled).toBe(false);
    expect(verdict.clusters.map((c) => [c.cluster, c.state, c.reason])).toEqual([
      ["a", "runs v2", null],
      ["b", "Non-Compliant", "Kustomization/x: BuildFailed"],
      ["c", "Unknown", null],
    ]);
  });

  it("fails once the rollout has ended with a target whose push failed, naming the push's reason; not while it may still retry", () => {
    const failedRow = row("a", { state: "failed", reason: "connect ECONNREFUSED", compliance: null, appliedVersion: null });
    expect(judgeReconciliation(progress("running", [failedRow])).settled).toBe(false);
    const verdict = judgeReconciliation(progress("done", [failedRow, row("b", {})]));
    expect(verdict).toMatchObject({ result: "failed", settled: true, targets: 2, compliant: 1, clusters: [{ cluster: "a", push: "failed", state: "push failed", reason: "connect ECONNREFUSED" }] });
    expect(judgeReconciliation(progress("aborted", [row("a", { state: "aborted" }), row("b", { state: "pending", compliance: null, appliedVersion: null })]))).toMatchObject({ result: "failed", settled: true });
  });
});
