import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { ARGO_VERSION } from "@/test-support/cluster-setup";
import { ClusterError, createClusterClient, resourcePath, type ClusterClient, type KubeObject } from "./client";
import { classifyError, probeCluster } from "./discovery";

let fluxCluster: TestCluster;
let argoCluster: TestCluster;
let admin: ClusterClient;

const clientFor = (c: TestCluster, token: string) => createClusterClient({ server: c.server, caData: c.caData, token });

beforeAll(async () => {
  [fluxCluster, argoCluster] = await Promise.all([startCluster(), startCluster({ flux: false, argo: true })]);
  admin = clientFor(fluxCluster, fluxCluster.adminToken);
});

afterAll(async () => {
  await Promise.all([fluxCluster?.stop(), argoCluster?.stop()]);
});

const REPOS = { apiVersion: "source.toolkit.fluxcd.io/v1", plural: "gitrepositories" };
const KUSTOMIZATIONS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", plural: "kustomizations" };

/** Creates a Flux object as another tool would (no Fleetline labels) and optionally writes its status. */
async function fluxObject(ref: typeof REPOS, object: KubeObject, status?: Record<string, unknown>) {
  const namespace = object.metadata.namespace;
  const created = await admin.create<KubeObject>(resourcePath({ ...ref, namespace }), object);
  if (!status) return;
  const statusPath = `${resourcePath({ ...ref, namespace, name: object.metadata.name })}/status`;
  await admin.mergePatch(statusPath, { status: { observedGeneration: created.metadata.generation, ...status } });
}

const condition = (type: string, value: string) => ({ type, status: value, reason: "Test", message: "set by the test", lastTransitionTime: new Date().toISOString() });

/** stop() returns once the process group is killed; the kernel may still be tearing the listener down. */
async function waitUntilRefused(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const code = await new Promise<string | undefined>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.once("connect", () => (socket.destroy(), resolve(undefined)));
      socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code));
    });
    if (code === "ECONNREFUSED") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} still not refusing connections`);
}

describe("probeCluster", () => {
  it("reports version, latency, nodes, Flux (version, controllers, objects) and no Argo CD", async () => {
    const repo = (name: string): KubeObject => ({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name, namespace: "default" },
      spec: { url: "https://example.com/repo.git", interval: "5m" },
    });
    await fluxObject(REPOS, repo("ready"), { conditions: [condition("Ready", "True")] });
    await fluxObject(REPOS, repo("fresh"));
    await fluxObject(
      KUSTOMIZATIONS,
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: "apps", namespace: "flux-system" },
        spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "ready", namespace: "default" } },
      },
      { conditions: [condition("Ready", "False")] },
    );

    expect((await probeCluster(admin)).nodeCount).toBe(0);
    // Node objects without kubelets: enough for counting.
    for (const name of ["node-a", "node-b", "node-c"]) await admin.create("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name } });

    const probe = await probeCluster(admin);
    expect(probe.kubernetesVersion).toBe("v1.20.2");
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0);
    expect(probe.latencyMs).toBeLessThan(5000);
    expect(probe.nodeCount).toBe(3);
    expect(probe.flux.installed).toBe(true);
    expect(probe.flux.version).toBe("v2.7.0");
    expect(probe.flux.controllers.map((c) => c.name).sort()).toEqual(["helm-controller", "kustomize-controller", "notification-controller", "source-controller"]);
    expect(probe.flux.controllers.every((c) => c.ready)).toBe(true);
    expect(probe.argo).toEqual({ installed: false, version: null, controllers: [] });
    const counts = Object.fromEntries(probe.fluxObjects.map(({ kind, ...rest }) => [kind, rest]));
    expect(Object.keys(counts).sort()).toEqual(["Bucket", "GitRepository", "HelmRelease", "HelmRepository", "Kustomization", "OCIRepository"]);
    expect(counts.GitRepository).toEqual({ ready: 1, notReady: 0, unknown: 1 });
    expect(counts.Kustomization).toEqual({ ready: 0, notReady: 1, unknown: 0 });
    expect(counts.HelmRelease).toEqual({ ready: 0, notReady: 0, unknown: 0 });
  });

  it("degrades forbidden parts instead of failing (a service account with no RBAC)", async () => {
    await admin.applyObject({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "no-rbac", namespace: "default" } }, { fieldManager: "test" });
    const request = await admin.create<{ status: { token: string } }>("/api/v1/namespaces/default/serviceaccounts/no-rbac/token", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: { name: "no-rbac" },
      spec: { expirationSeconds: 3600 },
    });
    const limited = clientFor(fluxCluster, request.status.token);
    const nodes = await limited.list("/api/v1/nodes").catch((e: unknown) => e);
    expect(nodes).toMatchObject({ kind: "forbidden" });

    const probe = await probeCluster(limited);
    expect(probe.kubernetesVersion).toBe("v1.20.2");
    expect(probe.nodeCount).toBeNull();
    // CRDs may not be read, but API discovery is open to every authenticated user.
    expect(probe.flux).toEqual({ installed: true, version: null, controllers: [] });
    expect(probe.fluxObjects).toEqual([]);
  });

  it("lets the read-only viewer see everything", async () => {
    const probe = await probeCluster(clientFor(fluxCluster, fluxCluster.viewerToken));
    expect(probe.nodeCount).toBe(3);
    expect(probe.flux.version).toBe("v2.7.0");
  });

  it("reports Flux as not installed on a cluster without its CRDs, and finds Argo CD with its version (the image tag install.yaml deploys) and controllers", async () => {
    const argoAdmin = clientFor(argoCluster, argoCluster.adminToken);
    const probe = await probeCluster(argoAdmin);
    expect(probe.flux).toEqual({ installed: false, version: null, controllers: [] });
    expect(probe.fluxObjects).toEqual([]);
    expect(probe.argo).toEqual({
      installed: true,
      version: ARGO_VERSION,
      controllers: [
        { name: "argocd-application-controller", ready: true },
        { name: "argocd-repo-server", ready: true },
        { name: "argocd-server", ready: true },
      ],
    });
    // The Helm chart's app.kubernetes.io/version label wins over the image tag; a scaled-down controller is not ready.
    const controller = "/apis/apps/v1/namespaces/argocd/statefulsets/argocd-application-controller";
    await argoAdmin.mergePatch(controller, { metadata: { labels: { "app.kubernetes.io/version": "v2.14.0" } }, spec: { replicas: 0 } });
    const relabelled = await probeCluster(argoAdmin);
    expect(relabelled.argo.version).toBe("v2.14.0");
    expect(relabelled.argo.controllers[0]).toEqual({ name: "argocd-application-controller", ready: false });
    // The viewer reads the same.
    expect((await probeCluster(clientFor(argoCluster, argoCluster.viewerToken))).argo.version).toBe("v2.14.0");
  });

  it("throws when the version call fails (bad token)", async () => {
    const error = await probeCluster(clientFor(fluxCluster, "wrong-token")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect(classifyError(error)).toEqual({ kind: "unauthorized", message: "401 Unauthorized: token or client certificate rejected" });
  });

  it("ends a running watch with a network error when the cluster dies, then fails fast with 'refused'", async () => {
    const client = clientFor(argoCluster, argoCluster.adminToken);
    const watching = client.watch("/api/v1/configmaps", "0", () => undefined, AbortSignal.timeout(20_000)).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await argoCluster.stop();
    // A dropped stream must surface (so the caller relists), not stall until the idle limit.
    expect(classifyError(await watching)).toMatchObject({ kind: "network" });

    const port = Number(new URL(argoCluster.server).port);
    await waitUntilRefused(port);
    const started = Date.now();
    const error = await probeCluster(client).catch((e: unknown) => e);
    expect(classifyError(error)).toEqual({ kind: "refused", message: `connection refused by 127.0.0.1:${port}` });
    // Far below the 5s timeout: a refused connection is reported at once.
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
