import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// Configuration and resource drift on a real API server with the Flux stand-in. The stand-in
// honours spec.interval (10m), so a hand edit stays until something makes Flux reconcile.
let fleet: FleetFixture;
let collector: typeof import("@/lib/observe/loop");
let compute: typeof import("./compute");
let schema: typeof import("@/db/schema-status");
let fleetId: string;
let fleetVersion: number;
const b64 = (text: string) => Buffer.from(text).toString("base64");
const REPO_SECRET = "repo-secret-canary-2b71";
const HAND_SECRET = "hand-secret-canary-90fe";

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 1, name: "drift", resyncMs: 0 });
  [collector, compute, schema] = await Promise.all([import("@/lib/observe/loop"), import("./compute"), import("@/db/schema-status")]);
  const secret = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: app-secret", "type: Opaque", "data:", `  token: ${b64(REPO_SECRET)}`, ""].join("\n");
  await fleet.harness.git!.commit(fleet.harness.sample!.repo.name, { "secrets/app-secret.yaml": secret }, "Add a secret");
  const saved = fleet.save({
    name: "fleet",
    scope: "cluster",
    source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" } },
    kustomizations: [
      { name: "infra", path: "./infrastructure", prune: true },
      { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true, postBuild: { substitute: { cluster_env: "prod" } } },
      { name: "secrets", path: "./secrets", targetNamespace: "default", prune: true },
    ],
    targets: { selector: { matchLabels: { env: "prod" } } },
  });
  [fleetId, fleetVersion] = [saved.id, saved.version];
  await fleet.push(fleetId, fleetVersion);
  await sweepUntil((r) => r.state === "Compliant");
});

afterAll(async () => {
  await fleet?.stop();
});

const clusterId = () => fleet.clusterIds[0]!;
const rest = () => fleet.harness.clusters[0]!.rest();

async function sweepUntil(predicate: (row: ConfigurationStatus) => boolean, timeoutMs = 30_000): Promise<ConfigurationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.runStatusSweep({ gitMaxAgeMs: 0 });
    const row = fleet.temp.db.select().from(schema.configurationStatus).all().find((r) => r.configurationId === fleetId);
    if (row && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`timed out; last row: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function drift() {
  const report = await compute.computeDrift(clusterId(), fleetId);
  if (report.status !== "ok") throw new Error(JSON.stringify(report));
  return report;
}

describe("discovery", () => {
  it("clusters serving the same group/version share one copy of its kinds (the loop holds one per cluster)", async () => {
    const { createClusterClient } = await import("@/lib/k8s/client");
    const { resourceInfo } = await import("./cluster-objects");
    const { server, caData, adminToken, viewerToken } = fleet.harness.clusters[0]!;
    // Two clients, as two registrations have: each reads the document for itself.
    const [a, b] = [adminToken, viewerToken].map((token) => createClusterClient({ server, caData, token }));
    try {
      const [first, second] = await Promise.all([resourceInfo(a!, "v1", "ConfigMap"), resourceInfo(b!, "v1", "ConfigMap")]);
      expect(first).toEqual({ plural: "configmaps", namespaced: true });
      expect(second).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
    } finally {
      a!.close();
      b!.close();
    }
  });
});

describe("no drift", () => {
  it("right after a push, none of the three kinds reports anything", async () => {
    const report = await drift();
    expect(report.configuration).toEqual([]);
    expect(report.revision).toMatchObject({ behindBy: 0, fetchFailure: null, gitError: null, changedFiles: [] });
    expect(report.resource.map((k) => [k.kustomization, k.method, k.objects])).toEqual([
      ["flux-system/fleet-infra", "dry-run", []],
      ["flux-system/fleet-apps", "dry-run", []],
      ["flux-system/fleet-secrets", "dry-run", []],
    ]);
  });
});

describe("configuration drift", () => {
  it("a hand-edited Kustomization shows a field-level diff; re-pushing clears it", async () => {
    const ref = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "fleet-infra" };
    await rest().apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace }, spec: { interval: "99m" } }, "kubectl-edit", { force: true });
    const row = await sweepUntil((r) => r.hasConfigDrift);
    expect(row.configDrift).toEqual([{ object: "Kustomization flux-system/fleet-infra", change: "changed", paths: ["spec.interval"] }]);
    const report = await drift();
    expect(report.configuration).toMatchObject([{ object: "Kustomization flux-system/fleet-infra", fields: [{ path: "spec.interval", live: "99m", desired: "10m" }] }]);
    expect(report.configuration[0]?.liveYaml).toContain("interval: 99m");
    await fleet.push(fleetId, fleetVersion);
    const cleared = await sweepUntil((r) => !r.hasConfigDrift);
    expect(cleared.configDrift).toEqual([]);
  });

  it("a deleted Flux object is missing (and the state Unknown); re-pushing restores it", async () => {
    await rest().remove({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "fleet-secrets" });
    const row = await sweepUntil((r) => r.hasConfigDrift);
    expect(row.configDrift).toEqual([{ object: "Kustomization flux-system/fleet-secrets", change: "missing", paths: [] }]);
    expect(row.state).toBe("Unknown");
    await fleet.push(fleetId, fleetVersion);
    await sweepUntil((r) => !r.hasConfigDrift && r.state === "Compliant");
  });
});

describe("resource drift", () => {
  it("a hand-edited ConfigMap shows before Flux corrects it, with a YAML diff; a reconcile clears it", async () => {
    await rest().mergePatch({ apiVersion: "v1", kind: "ConfigMap", namespace: "podinfo", name: "podinfo-config" }, { data: { message: "edited by hand" } });
    const row = await sweepUntil((r) => r.hasResourceDrift);
    expect(row.resourceDriftCount).toBe(1);
    const report = await drift();
    const apps = report.resource.find((k) => k.kustomization === "flux-system/fleet-apps")!;
    expect(apps.method).toBe("dry-run");
    expect(apps.objects).toMatchObject([{ object: "ConfigMap podinfo/podinfo-config", action: "drifted", changedPaths: ["data.message"] }]);
    expect(apps.objects[0]?.beforeYaml).toContain("edited by hand");
    expect(apps.objects[0]?.afterYaml).toContain("hello from v2");
    expect(apps.objects[0]?.foreignChanges[0]?.fields).toEqual(["data.message"]);
    const { reconcileNow } = await import("@/lib/status/verbs");
    expect((await reconcileNow(clusterId(), fleetId)).status).toBe("ok");
    await sweepUntil((r) => !r.hasResourceDrift);
  });

  it("an edited Secret is reported with its data masked on both sides", async () => {
    await rest().mergePatch({ apiVersion: "v1", kind: "Secret", namespace: "default", name: "app-secret" }, { data: { token: b64(HAND_SECRET) } });
    await sweepUntil((r) => r.hasResourceDrift);
    const report = await drift();
    const secrets = report.resource.find((k) => k.kustomization === "flux-system/fleet-secrets")!;
    expect(secrets.objects).toMatchObject([{ object: "Secret default/app-secret", action: "drifted", changedPaths: ["data.token"] }]);
    const text = JSON.stringify(report);
    for (const secret of [REPO_SECRET, HAND_SECRET, b64(REPO_SECRET), b64(HAND_SECRET)]) expect(text).not.toContain(secret);
    expect(secrets.objects[0]?.beforeYaml).toContain("token: •••• (masked)");
  });

  it("without the manifests at hand, the field-manager method still names the edit", async () => {
    const { fieldManagerDrift } = await import("./resource-drift");
    const { clientFor } = await import("@/lib/inventory/client-cache");
    const { clusters } = await import("@/db/schema");
    const cluster = fleet.temp.db.select().from(clusters).all()[0]!;
    const inventory = [{ id: "default_app-secret__Secret", v: "v1" }];
    const result = await fieldManagerDrift(clientFor(cluster, 5000), { name: "fleet-secrets", namespace: "flux-system", prune: true, inventory }, "test");
    expect(result.objects).toMatchObject([{ object: "Secret default/app-secret", action: "edited", changedPaths: ["data.token"] }]);
    expect(JSON.stringify(result)).not.toContain(b64(HAND_SECRET));
  });

  it("a label added by hand (kubectl label) is one definition of resource drift: counted on the row and shown on the Drift tab", async () => {
    // Flux never sets this label, so its forced dry-run apply leaves it: no dry-run difference, yet a change outside Git.
    const before = (await sweepUntil(() => true)).resourceDriftCount;
    await rest().mergePatch({ apiVersion: "v1", kind: "Service", namespace: "podinfo", name: "podinfo" }, { metadata: { labels: { owner: "manual" } } });
    const row = await sweepUntil((r) => r.resourceDriftCount === before + 1);
    const report = await drift();
    const apps = report.resource.find((k) => k.kustomization === "flux-system/fleet-apps")!;
    expect(apps.method).toBe("dry-run");
    expect(apps.objects).toMatchObject([{ object: "Service podinfo/podinfo", action: "edited", changedPaths: ["metadata.labels.owner"] }]);
    expect(apps.objects[0]?.foreignChanges.length).toBeGreaterThan(0);
    expect(apps.objects[0]?.message).toMatch(/outside Git/);
    // What the Drift tab counts is what the status row, dashboard, matrix and exports count.
    expect(compute.resourceDriftCount(report.resource)).toBe(row.resourceDriftCount);
  });
});
