import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { TestCluster } from "@/test-support/cluster";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// Issue 17, install into a cluster: deploy/ renders with kubectl kustomize and the API server
// accepts every object (apply --dry-run=server); then, applied for real, the ServiceAccount with
// deploy/'s RBAC is what in-cluster mode registers, and with it alone (RBAC enforced by the real
// API server) a push lands and its status is read.
const root = path.resolve(__dirname, "../..");
let fleet: FleetFixture;
let cluster: TestCluster;
let saDir: string;
let inCluster: typeof import("./in-cluster");
const NAMESPACE = "fleetline";

const kubectl = (args: string[], input?: string) =>
  spawnSync("kubectl", ["--kubeconfig", cluster.kubeconfigPath, ...args], { input, encoding: "utf8", timeout: 60_000 });
const render = (dir: string) => execFileSync("kubectl", ["kustomize", path.join(root, "deploy", dir)], { encoding: "utf8" });

async function requestToken(): Promise<string> {
  const answer = await cluster.rest().json<{ status: { token: string } }>("POST", `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/fleetline/token`, {
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
  });
  return answer.status.token;
}

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 1, name: "incluster", register: false });
  cluster = fleet.harness.clusters[0]!;
  inCluster = await import("./in-cluster");
  saDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-sa-"));
  fs.writeFileSync(path.join(saDir, "ca.crt"), cluster.caData);
});

afterAll(async () => {
  await fleet?.stop();
  if (saDir) fs.rmSync(saDir, { recursive: true, force: true });
});

describe("deploy/", () => {
  it("each kustomization renders and every object passes the API server's dry run", () => {
    const sqlite = render("overlays/sqlite");
    const kinds = parseAllDocuments(sqlite).map((d) => (d.toJSON() as { kind: string }).kind).sort();
    expect(kinds).toEqual(["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PersistentVolumeClaim", "Service", "ServiceAccount"]);
    const deployment = parseAllDocuments(sqlite).map((d) => d.toJSON()).find((o) => o.kind === "Deployment");
    const container = deployment.spec.template.spec.containers[0];
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
    expect(deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === "data")).toEqual({ name: "data", persistentVolumeClaim: { claimName: "fleetline-data" } });
    // The Namespace first (the namespaced objects' dry run needs it to exist).
    expect(kubectl(["apply", "-f", "-"], render("base").split("\n---\n")[0])).toMatchObject({ status: 0 });
    const postgres = parseAllDocuments(render("overlays/postgres")).map((d) => d.toJSON());
    expect(postgres.map((o) => o.kind).sort()).toEqual(["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Namespace", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"]);
    const replicated = postgres.find((o) => o.kind === "Deployment");
    expect(replicated.spec.replicas).toBeGreaterThan(1);
    expect(replicated.spec.template.spec.containers[0].env).toContainEqual({ name: "FLEETLINE_REPLICA_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
    expect(postgres.find((o) => o.kind === "PodDisruptionBudget").spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "fleetline" } } });
    // The database's password is a secret: DATABASE_URL is not in the ConfigMap.
    expect(Object.keys(postgres.find((o) => o.kind === "ConfigMap").data)).not.toContain("DATABASE_URL");
    expect(JSON.stringify(postgres.find((o) => o.kind === "NetworkPolicy").spec.egress)).toContain('"port":5432');
    for (const dir of ["overlays/sqlite", "overlays/postgres", "ingress"]) {
      // The harness's API server is 1.20, before policy/v1 (1.21); the budget's fields are the same in v1beta1.
      const manifests = dir === "overlays/postgres" ? render(dir).replace("apiVersion: policy/v1\n", "apiVersion: policy/v1beta1\n") : render(dir);
      const dryRun = kubectl(["apply", "--dry-run=server", "-f", "-"], manifests);
      expect(dryRun.stderr, dir).toBe("");
      expect(dryRun.status, dir).toBe(0);
      expect(dryRun.stdout).toMatch(/\(server dry run\)/);
    }
  });
});

describe("in-cluster mode", () => {
  it("registers the ServiceAccount's cluster, follows its token's rotation, and never takes over a hand-made registration", async () => {
    const applied = kubectl(["apply", "-f", "-"], render("overlays/sqlite"));
    expect(applied.status, applied.stderr).toBe(0);
    fs.writeFileSync(path.join(saDir, "token"), await requestToken());
    const source = { dir: saDir, server: cluster.server };

    const first = inCluster.syncInClusterCluster("home", source);
    expect(first.status).toBe("registered");
    expect(inCluster.syncInClusterCluster("home", source)).toEqual({ status: "unchanged", clusterId: (first as { clusterId: string }).clusterId });
    fs.writeFileSync(path.join(saDir, "token"), `${await requestToken()}\n`);
    expect(inCluster.syncInClusterCluster("home", source)).toEqual({ status: "updated", clusterId: (first as { clusterId: string }).clusterId });

    const registry = await import("./registry");
    registry.insertCluster({ name: "by-hand", displayName: "by-hand", labels: {}, authMethod: "token", credentials: { server: "https://10.0.0.1", token: "t" }, createdBy: "ada@example.com" }, null);
    expect(inCluster.syncInClusterCluster("by-hand", source)).toMatchObject({ status: "refused", message: expect.stringContaining("registered by ada@example.com") });
    expect(inCluster.syncInClusterCluster("elsewhere", { dir: path.join(saDir, "absent"), server: cluster.server })).toMatchObject({ status: "refused", message: expect.stringContaining("ENOENT") });
    expect(inCluster.serverFromEnvironment({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" })).toBe("https://[fd00::1]:443");
    expect(inCluster.serverFromEnvironment({})).toBeNull();
  });

  it("with deploy/'s RBAC alone, a push lands and its status is read, and nothing outside its role is allowed", async () => {
    const clusterId = inCluster.syncInClusterCluster("home", { dir: saDir, server: cluster.server });
    if (!("clusterId" in clusterId)) throw new Error(JSON.stringify(clusterId));
    const saved = fleet.save({
      name: "in-cluster-app",
      scope: "cluster",
      source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
      kustomizations: [{ name: "infra", path: "./infrastructure", prune: true }],
      targets: { clusterIds: [clusterId.clusterId] },
    });
    const progress = await fleet.push(saved.id, saved.version);
    expect(progress.clusters.map((c) => [c.state, c.reason])).toEqual([["applied", null]]);

    const loop = await import("@/lib/observe/loop");
    const status = await import("@/db/schema-status");
    const schema = await import("@/db/schema");
    let state: string | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && state !== "Compliant") {
      await loop.runStatusSweep({ clusterIds: [clusterId.clusterId], gitMaxAgeMs: 0, timeoutMs: 10_000 });
      state = fleet.temp.db.select().from(status.configurationStatus).all().find((r) => r.configurationId === saved.id)?.state;
      if (state !== "Compliant") await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(state).toBe("Compliant");
    const health = fleet.temp.db.select().from(schema.clusterHealth).all().find((h) => h.clusterId === clusterId.clusterId);
    expect(health).toMatchObject({ state: "reachable" });
    expect(health?.reasonKind, health?.reason ?? "").not.toBe("forbidden");

    // Nothing beyond its role: no workloads of its own, no cluster-wide grants, no deleting namespaces.
    const token = fs.readFileSync(path.join(saDir, "token"), "utf8").trim();
    const can = (...args: string[]) => kubectl(["auth", "can-i", ...args, `--token=${token}`]).stdout.trim();
    expect(can("patch", "kustomizations.kustomize.toolkit.fluxcd.io", "-n", "apps")).toBe("yes");
    expect(can("create", "deployments.apps", "-n", "apps")).toBe("no");
    expect(can("create", "clusterrolebindings.rbac.authorization.k8s.io")).toBe("no");
    expect(can("delete", "namespaces")).toBe("no");
    expect(can("get", "secrets", "-n", "kube-system")).toBe("no");
    expect(can("bind", "clusterroles.rbac.authorization.k8s.io/cluster-admin")).toBe("no");
  });
});
