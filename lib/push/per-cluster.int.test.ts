import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// Per-cluster values against real API servers with the Flux stand-in: one configuration, three
// clusters with different labels, each getting its own substitutions and Helm values; drift
// computed against each cluster's own render; a variable one cluster cannot resolve fails
// that cluster only.
let fleet: FleetFixture;
let compute: typeof import("@/lib/drift/compute");
let configId: string;
const LABELS: Array<Record<string, string>> = [
  { env: "prod", region: "eu-west", tier: "edge" },
  { env: "prod", region: "us-east" },
  { env: "prod", region: "ap-south", tier: "edge" },
];

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 3, name: "values", resyncMs: 0, labels: (index) => LABELS[index]! });
  compute = await import("@/lib/drift/compute");
});

afterAll(async () => {
  await fleet?.stop();
});

function spec(extra: Record<string, unknown> = {}) {
  return {
    name: "shop",
    scope: "cluster",
    source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps", path: "./apps/podinfo", targetNamespace: "podinfo", postBuild: { substitute: { CLUSTER: "${cluster_name}", REGION: "${cluster_label_region}", SIZE: "small" } } }],
    helmReleases: [{ name: "cache", chart: "charts/redis", values: "replicas: 1\nhost: ${cluster_name}.shop.example\n" }],
    targets: { selector: { matchLabels: { env: "prod" } } },
    overrides: [
      { selector: { matchLabels: { tier: "edge" } }, substitute: { SIZE: "medium" }, helmValues: { cache: "replicas: 2\n" } },
      { clusterId: fleet.clusterIds[2], substitute: { SIZE: "large" }, helmValues: { cache: "replicas: 3\n" } },
    ],
    ...extra,
  };
}

const rest = (index: number) => fleet.harness.clusters[index]!.rest();
const name = (index: number) => fleet.harness.clusters[index]!.name;

/** Drift renders for the cluster's known reconciler; set it rather than wait for a health sweep on a busy machine. */
async function markFlux(): Promise<void> {
  const { clusters } = await import("@/db/schema");
  fleet.temp.db.update(clusters).set({ reconcilerOverride: "flux" }).run();
}

describe("per-cluster values", () => {
  it("the Review dry-run shows three distinct renders, one per cluster", async () => {
    const { dryRunConfiguration } = await import("./dry-run");
    const result = await dryRunConfiguration(spec(), fleet.clusterIds);
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    expect(result.renders).toHaveLength(3);
    expect(result.clusters.map((c) => [c.status, c.render])).toEqual([
      ["ok", 0],
      ["ok", 1],
      ["ok", 2],
    ]);
    expect(result.renders[1]!.yaml).toContain(`CLUSTER: ${name(1)}`);
    expect(result.renders[1]!.yaml).toContain("REGION: us-east");
  });

  it("one push gives each cluster its own substitutions and Helm values", async () => {
    const saved = fleet.save(spec());
    configId = saved.id;
    const progress = await fleet.push(saved.id, saved.version);
    const byCluster = new Map(progress.clusters.map((c) => [c.clusterId, c]));
    expect(fleet.clusterIds.map((id) => [byCluster.get(id)?.state, byCluster.get(id)?.reason])).toEqual([
      ["applied", null],
      ["applied", null],
      ["applied", null],
    ]);
    const expected = [
      { substitute: { CLUSTER: name(0), REGION: "eu-west", SIZE: "medium" }, replicas: 2 },
      { substitute: { CLUSTER: name(1), REGION: "us-east", SIZE: "small" }, replicas: 1 },
      { substitute: { CLUSTER: name(2), REGION: "ap-south", SIZE: "large" }, replicas: 3 },
    ];
    for (const [index, want] of expected.entries()) {
      const kustomization = await rest(index).get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "shop-apps");
      expect((kustomization?.spec as { postBuild?: unknown } | undefined)?.postBuild, name(index)).toEqual({ substitute: want.substitute });
      const release = await rest(index).get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "flux-system", "shop-cache");
      expect((release?.spec as { values?: unknown } | undefined)?.values, name(index)).toEqual({ replicas: want.replicas, host: `${name(index)}.shop.example` });
    }
  });

  it("configuration drift is computed against each cluster's own render", async () => {
    await markFlux();
    for (const index of [0, 1, 2]) {
      const report = await compute.computeDrift(fleet.clusterIds[index]!, configId);
      if (report.status !== "ok") throw new Error(JSON.stringify(report));
      expect(report.configuration, name(index)).toEqual([]);
    }
    // A hand edit on one cluster is drift there only.
    await rest(1).apply(
      { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "shop-apps", namespace: "flux-system" }, spec: { postBuild: { substitute: { SIZE: "huge" } } } },
      "kubectl-edit",
      { force: true },
    );
    const drifted = await compute.computeDrift(fleet.clusterIds[1]!, configId);
    if (drifted.status !== "ok") throw new Error(JSON.stringify(drifted));
    expect(drifted.configuration.map((d) => [d.object, d.fields.map((f) => f.path)])).toEqual([["Kustomization flux-system/shop-apps", ["spec.postBuild.substitute.SIZE"]]]);
    const clean = await compute.computeDrift(fleet.clusterIds[2]!, configId);
    if (clean.status !== "ok") throw new Error(JSON.stringify(clean));
    expect(clean.configuration).toEqual([]);
  });

  it("a variable one cluster cannot resolve fails that cluster only, naming the variable and the cluster", async () => {
    const next = spec({ kustomizations: [{ name: "apps", path: "./apps/podinfo", targetNamespace: "podinfo", postBuild: { substitute: { TIER: "${cluster_label_tier}" } } }] });
    const saved = fleet.save(next, configId);
    const progress = await fleet.push(saved.id, saved.version);
    const byCluster = new Map(progress.clusters.map((c) => [c.clusterId, c]));
    expect(fleet.clusterIds.map((id) => byCluster.get(id)?.state)).toEqual(["applied", "failed", "applied"]);
    expect(byCluster.get(fleet.clusterIds[1]!)?.reason).toBe(`could not render version 2: \${cluster_label_tier} cannot be resolved on cluster ${name(1)}: it has no label whose key normalises to "tier"`);
    const kustomization = await rest(2).get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "shop-apps");
    expect((kustomization?.spec as { postBuild?: unknown } | undefined)?.postBuild).toEqual({ substitute: { TIER: "edge", SIZE: "large" } });
  });

  it("a version diff can be shown as one cluster gets it", async () => {
    const { diffVersions } = await import("@/lib/configurations/version-diff");
    const diff = await diffVersions(configId, 1, 2, { id: fleet.clusterIds[0]!, name: name(0), labels: LABELS[0]!, reconciler: "flux" });
    const lines = diff?.hunks?.flatMap((hunk) => hunk.lines.map((line) => `${line.kind === "add" ? "+" : line.kind === "remove" ? "-" : " "}${line.text}`)) ?? [];
    expect(lines).toContain("-      REGION: eu-west");
    expect(lines).toContain("+      TIER: edge");
  });
});
