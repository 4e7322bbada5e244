import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { getCondition } from "@/test-support/conditions";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// Namespace scope that confines, against a real API server with RBAC authorization: the Flux
// stand-in applies a namespace-scoped configuration's Kustomizations as the service account
// Fleetline renders for it (Impersonate-User), so what the tenant may not do is refused by the
// API server itself, and that refusal is what the status row shows.
let fleet: FleetFixture;
let collector: typeof import("@/lib/observe/loop");
let db: typeof import("@/db/schema-status");
let repoUrl: string;
const TENANT_USER = "system:serviceaccount:team-a:tenant-reconciler";

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 1, name: "tenancy", resyncMs: 500 });
  [collector, db] = await Promise.all([import("@/lib/observe/loop"), import("@/db/schema-status")]);
  const git = fleet.harness.git!;
  const repo = await git.createRepo("tenancy", { files: { "README.md": "# Tenancy\n" } });
  await git.commit(
    "tenancy",
    {
      "tenant-app/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tenant-settings\ndata:\n  team: a\n",
      "cluster-wide/clusterrole.yaml": [
        "apiVersion: rbac.authorization.k8s.io/v1",
        "kind: ClusterRole",
        "metadata:",
        "  name: tenant-escape",
        "rules:",
        "  - apiGroups: [\"\"]",
        "    resources: [\"secrets\"]",
        "    verbs: [\"get\", \"list\"]",
        "",
      ].join("\n"),
      "other-namespace/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: planted\n  namespace: default\ndata:\n  owner: team-a\n",
    },
    "Tenant manifests",
  );
  repoUrl = repo.url;
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
});

const rest = () => fleet.harness.clusters[0]!.rest();
const clusterId = () => fleet.clusterIds[0]!;

function spec(name: string, scope: "cluster" | "namespace", kustomizations: unknown[]) {
  return {
    name,
    scope,
    namespace: scope === "namespace" ? "team-a" : "flux-system",
    source: { kind: "GitRepository", url: repoUrl, ref: { type: "branch", value: "main" }, interval: "10m" },
    kustomizations,
    targets: { clusterIds: [clusterId()] },
  };
}

async function sweepUntil(configurationId: string, predicate: (row: ConfigurationStatus) => boolean, timeoutMs = 45_000): Promise<ConfigurationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.runStatusSweep({ gitMaxAgeMs: 0 });
    const row = fleet.temp.db.select().from(db.configurationStatus).all().find((r) => r.clusterId === clusterId() && r.configurationId === configurationId);
    if (row && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`timed out; last row: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe("namespace scope confines", () => {
  it("a namespace-scoped configuration applies in its namespace but is refused a ClusterRole, with the API server's refusal on its status row", async () => {
    const saved = fleet.save(
      spec("tenant", "namespace", [
        { name: "app", path: "./tenant-app", prune: true },
        { name: "escape", path: "./cluster-wide", prune: true },
      ]),
    );
    const progress = await fleet.push(saved.id, saved.version);
    expect(progress.counts.applied).toBe(1);

    const row = await sweepUntil(saved.id, (r) => r.state === "Non-Compliant" && (r.message ?? "").includes("forbidden"));
    expect(row.message).toContain(`clusterroles.rbac.authorization.k8s.io "tenant-escape" is forbidden: User "${TENANT_USER}" cannot patch resource "clusterroles"`);
    expect(await rest().get("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "tenant-escape")).toBeUndefined();

    // The refusal is kustomize-controller's: Ready=False ReconciliationFailed, the apply error as the message.
    const escape = await fleet.harness.flux[0]!.waitFor("Kustomization", "team-a", "tenant-escape", (o) => getCondition(o, "Ready")?.status === "False");
    expect(getCondition(escape, "Ready")).toMatchObject({ reason: "ReconciliationFailed" });
    expect(getCondition(escape, "Ready")?.message).toMatch(/^ClusterRole\/tenant-escape dry-run failed \(Forbidden\): /);

    // Within its namespace the tenant has admin rights: the same push's other Kustomization applied.
    await fleet.harness.flux[0]!.waitForReady("Kustomization", "team-a", "tenant-app");
    expect(await rest().get("v1", "ConfigMap", "team-a", "tenant-settings")).toMatchObject({ data: { team: "a" } });
  });

  it("the tenant's service account cannot write into another namespace", async () => {
    // Fleetline refuses another targetNamespace for a namespace-scoped configuration; a manifest
    // naming another namespace, applied as the tenant's account, is refused by the API server too.
    await rest().apply(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "planted", namespace: "team-a" },
        spec: { interval: "10m", prune: false, path: "./other-namespace", sourceRef: { kind: "GitRepository", name: "tenant" }, serviceAccountName: "tenant-reconciler" },
      },
      "test",
    );
    const planted = await fleet.harness.flux[0]!.waitFor("Kustomization", "team-a", "planted", (o) => getCondition(o, "Ready")?.status === "False");
    expect(getCondition(planted, "Ready")).toMatchObject({ reason: "ReconciliationFailed" });
    expect(getCondition(planted, "Ready")?.message).toContain(`configmaps "planted" is forbidden: User "${TENANT_USER}" cannot patch resource "configmaps" in API group "" in the namespace "default"`);
    expect(await rest().get("v1", "ConfigMap", "default", "planted")).toBeUndefined();
  });

  it("a cluster-scoped configuration creates the same ClusterRole", async () => {
    const saved = fleet.save(spec("platform", "cluster", [{ name: "escape", path: "./cluster-wide", prune: true }]));
    await fleet.push(saved.id, saved.version);
    const row = await sweepUntil(saved.id, (r) => r.state === "Compliant");
    expect(row.state).toBe("Compliant");
    expect(await rest().get("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "tenant-escape")).toMatchObject({ rules: [{ resources: ["secrets"] }] });
  });
});
