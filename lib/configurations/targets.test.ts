import { describe, expect, it } from "vitest";
import { isTarget, selectTargets, type ClusterLabels } from "./targets";

const fleet: ClusterLabels[] = [
  { id: "a", name: "prod-eu", labels: { env: "prod", region: "eu" } },
  { id: "b", name: "prod-us", labels: { env: "prod", region: "us" } },
  { id: "c", name: "staging", labels: { env: "staging" } },
  { id: "d", name: "unlabelled", labels: {} },
];

describe("selectTargets", () => {
  it("resolves explicit ids, skipping ones that no longer exist", () => {
    expect(selectTargets(fleet, { clusterIds: ["c", "gone"] })).toEqual([{ clusterId: "c", clusterName: "staging", reason: "explicit" }]);
  });

  it("matches labels with matchLabels and every expression operator", () => {
    const ids = (selector: Parameters<typeof selectTargets>[1]["selector"]) => selectTargets(fleet, { clusterIds: [], selector }).map((t) => t.clusterId);
    expect(ids({ matchLabels: { env: "prod" } })).toEqual(["a", "b"]);
    expect(ids({ matchExpressions: [{ key: "region", operator: "In", values: ["eu", "ap"] }] })).toEqual(["a"]);
    expect(ids({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] })).toEqual(["c", "d"]);
    expect(ids({ matchExpressions: [{ key: "region", operator: "Exists" }] })).toEqual(["a", "b"]);
    expect(ids({ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] })).toEqual(["d"]);
    expect(ids({ matchLabels: { env: "prod" }, matchExpressions: [{ key: "region", operator: "NotIn", values: ["eu"] }] })).toEqual(["b"]);
  });

  it("counts a cluster both listed and matched once, as explicit", () => {
    expect(selectTargets(fleet, { clusterIds: ["a"], selector: { matchLabels: { env: "prod" } } })).toEqual([
      { clusterId: "a", clusterName: "prod-eu", reason: "explicit" },
      { clusterId: "b", clusterName: "prod-us", reason: "selector" },
    ]);
  });
});

describe("isTarget", () => {
  it("follows the labels as they are now", () => {
    const targets = { clusterIds: [], selector: { matchLabels: { env: "prod" } } };
    expect(isTarget({ id: "c", labels: { env: "staging" } }, targets)).toBe(false);
    expect(isTarget({ id: "c", labels: { env: "prod" } }, targets)).toBe(true);
    expect(isTarget({ id: "c", labels: {} }, { clusterIds: ["c"] })).toBe(true);
  });
});
