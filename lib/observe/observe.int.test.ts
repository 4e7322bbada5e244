import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { startBlackHole, type BlackHole } from "@/test-support/black-hole";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// The one observation loop against real API servers (Flux stand-in, Git server). Cluster 0 gets a
// HelmRelease CRD whose preferred version needs a conversion webhook that is down, so listing
// helmreleases answers 500; a black hole (accepts TCP, never answers) is registered as a fourth cluster.
let fleet: FleetFixture;
let loop: typeof import("./loop");
let db: typeof import("@/db/schema-status");
let schema: typeof import("@/db/schema");
let blackHole: BlackHole;
let blackHoleId: string;
let configurationId: string;

type Crd = { spec: { versions: Record<string, unknown>[]; conversion?: unknown } };

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 2, name: "observe", resyncMs: 0 });
  [loop, db, schema] = await Promise.all([import("./loop"), import("@/db/schema-status"), import("@/db/schema")]);
  // A HelmRelease stored at v2, then a served v3 that needs conversion through a webhook on a dead loopback port.
  const rest = fleet.harness.clusters[0]!.rest();
  await rest.apply({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "someone-elses", namespace: "default" }, spec: { interval: "10m", chart: { spec: { chart: "x", sourceRef: { kind: "HelmRepository", name: "x" } } } } }, "test");
  const path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/helmreleases.helm.toolkit.fluxcd.io";
  const crd = await rest.json<Crd>("GET", path);
  const v2 = crd.spec.versions[0]!;
  crd.spec.versions = [{ ...v2, storage: true }, { ...v2, name: "v3", storage: false }];
  crd.spec.conversion = { strategy: "Webhook", webhook: { clientConfig: { url: "https://127.0.0.1:1/convert" }, conversionReviewVersions: ["v1"] } };
  await rest.json("PUT", path, { body: crd });

  blackHole = await startBlackHole();
  const registry = await import("@/lib/inventory/registry");
  blackHoleId = registry.insertCluster({ name: "black-hole", displayName: "black-hole", labels: { env: "prod" }, authMethod: "token", credentials: { server: blackHole.server, token: "t" }, createdBy: "test" }, null).id;
});

afterAll(async () => {
  await blackHole?.close();
  await fleet?.stop();
});

const sample = () => fleet.harness.sample!;
const rowOf = (clusterId: string): ConfigurationStatus | undefined =>
  fleet.temp.db.select().from(db.configurationStatus).all().find((r) => r.clusterId === clusterId && r.configurationId === configurationId);

describe("the observation loop", () => {
  it("a kind whose list answers 500 leaves the cluster reachable and its other configurations observed", async () => {
    const saved = fleet.save({
      name: "fleet",
      scope: "cluster",
      source: { kind: "GitRepository", url: sample().repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
      kustomizations: [{ name: "infra", path: "./infrastructure", prune: true }],
      targets: { clusterIds: fleet.clusterIds },
    });
    configurationId = saved.id;
    await fleet.push(saved.id, saved.version);
    const deadline = Date.now() + 60_000;
    let rows: (ConfigurationStatus | undefined)[] = [];
    while (Date.now() < deadline) {
      await loop.runStatusSweep({ clusterIds: fleet.clusterIds, gitMaxAgeMs: 0, timeoutMs: 10_000 });
      rows = fleet.clusterIds.map(rowOf);
      if (rows.every((r) => r?.state === "Compliant")) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(rows.map((r) => r?.state)).toEqual(["Compliant", "Compliant"]);
    const health = fleet.temp.db.select().from(schema.clusterHealth).all().find((h) => h.clusterId === fleet.clusterIds[0]);
    expect(health).toMatchObject({ state: "reachable", reasonKind: "partial" });
    expect(health?.reason).toMatch(/^listing helmreleases\.helm\.toolkit\.fluxcd\.io failed: 500/);
  });

  it("a black-holed cluster turns Unknown within one pass while the others are observed on time", async () => {
    const started = Date.now();
    const result = await loop.runStatusSweep({ gitMaxAgeMs: 0, timeoutMs: 8000 });
    const hole = result.clusters.find((c) => c.clusterId === blackHoleId);
    // Whichever ends it first: the 5 s request timeout or the 8 s cluster deadline.
    expect(hole?.status).toBe("unreachable");
    expect(hole?.reason).toMatch(/^(timed out after 5s|the cluster did not finish within 8s)$/);
    const health = fleet.temp.db.select().from(schema.clusterHealth).all().find((h) => h.clusterId === blackHoleId);
    expect(health).toMatchObject({ state: "unreachable", reasonKind: "timeout" });
    for (const id of fleet.clusterIds) {
      expect(result.clusters.find((c) => c.clusterId === id)?.status).toBe("ok");
      expect(rowOf(id)?.observedAt.getTime()).toBeGreaterThanOrEqual(started);
    }
    // With no configuration on it, it still heads the dashboard's attention list, with the reason.
    const { clustersNeedingAttention } = await import("@/lib/queries/dashboard");
    expect(clustersNeedingAttention().rows.find((r) => r.clusterId === blackHoleId)).toMatchObject({ reachability: "unreachable", reachabilityReason: hole?.reason });
    // The deadline cancelled the request: no socket is left open to the black hole.
    await expect.poll(() => blackHole.open(), { timeout: 3000 }).toBe(0);
  });
});
