import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { startArgoStandIn, type ArgoStandIn } from "@/test-support/argo-standin";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { startFluxStandIn, type FluxStandIn } from "@/test-support/flux-standin";
import { createSampleRepo, type SampleRepo } from "@/test-support/git-fixtures";
import { startGitServer, type GitServer } from "@/test-support/git-server";
import type { KubeObject } from "@/test-support/kube-rest";
import { useTempDatabase } from "@/test-support/temp-db";

// One configuration pushed to a mixed fleet: a Flux cluster, an Argo CD cluster (with the
// Argo CD stand-in syncing its Applications) and a cluster with neither.
let git: GitServer;
let sample: SampleRepo;
let flux: TestCluster;
let argo: TestCluster;
let bare: TestCluster;
let fluxStandIn: FluxStandIn;
let argoStandIn: ArgoStandIn;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("@/lib/configurations/store");
let rollouts: typeof import("@/lib/push/rollouts");
let run: typeof import("@/lib/push/run");
let credentialId: string;
const ids = { flux: "", argo: "", bare: "" };
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
const TOKEN = "canary-argo-token-9c41";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "22".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  process.env.FLEETLINE_ALLOW_LOCAL_SOURCES = "true";
  temp = await useTempDatabase();
  [git, flux, argo, bare] = await Promise.all([
    startGitServer(),
    startCluster({ name: "mixed-flux" }),
    startCluster({ name: "mixed-argo", flux: false, argo: true }),
    startCluster({ name: "mixed-bare", flux: false }),
  ]);
  sample = await createSampleRepo(git, "private-fleet", { auth: { username: "fleet-bot", password: TOKEN } });
  [fluxStandIn, argoStandIn] = await Promise.all([startFluxStandIn(flux, { resyncMs: 500, dependencyRequeueMs: 2000 }), startArgoStandIn(argo, { resyncMs: 500 })]);
  [store, rollouts, run] = await Promise.all([import("@/lib/configurations/store"), import("@/lib/push/rollouts"), import("@/lib/push/run")]);
  const { checkConnection, insertCluster } = await import("@/lib/inventory/registry");
  const register = async (cluster: TestCluster, probe: boolean) => {
    const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
    // The Argo CD cluster is probed as registration does (reconciler stored); the others are found at push time.
    const check = probe ? await checkConnection(credentials) : null;
    return insertCluster({ name: cluster.name, displayName: cluster.name, labels: { fleet: "mixed" }, authMethod: "token", credentials, createdBy: "test" }, check).id;
  };
  ids.flux = await register(flux, false);
  ids.argo = await register(argo, true);
  ids.bare = await register(bare, false);
  const { createCredential } = await import("@/lib/credentials/store");
  const created = await createCredential({ type: "https", name: "argo-git", host: "127.0.0.1", username: "fleet-bot", password: TOKEN }, { author: "admin" });
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  credentialId = created.credential.id;
});

afterAll(async () => {
  await Promise.all([fluxStandIn?.stop(), argoStandIn?.stop()]);
  await Promise.all([flux?.stop(), argo?.stop(), bare?.stop(), git?.stop()]);
  temp?.cleanup();
});

function fleetSpec(clusterIds: string[]) {
  return {
    name: "mixed",
    scope: "cluster",
    source: { kind: "GitRepository", url: sample.repo.url, ref: { type: "branch", value: "main" }, interval: "1m", credentialId },
    kustomizations: [
      { name: "infra", path: "./infrastructure", prune: true },
      { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true },
    ],
    targets: { clusterIds },
  };
}

async function push(clusterIds: string[]) {
  const saved = store.findConfigurationByName("mixed")
    ? store.updateConfiguration(store.findConfigurationByName("mixed")!.id, fleetSpec(clusterIds), { author: actor.email })
    : store.createConfiguration(fleetSpec(clusterIds), { author: actor.email });
  if (saved.status !== "ok") throw new Error(JSON.stringify(saved));
  const started = rollouts.startRollout(saved.configuration.id, saved.version, { actor });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  const progress = await run.runRollout(started.rolloutId, { retry: { retries: 1, baseMs: 100, maxMs: 300 } });
  return { id: saved.configuration.id, version: saved.version, progress: progress! };
}

async function renderedFor(reconciler: "flux" | "argocd", id: string, version: number): Promise<RenderedObject[]> {
  const [{ renderFor }, { toRenderCredential }] = await Promise.all([import("@/lib/reconcilers/render"), import("@/lib/credentials/store")]);
  const spec = store.getVersion(id, version)!.spec;
  return renderFor(reconciler, { spec, version, configurationId: id, credential: toRenderCredential(credentialId, spec.source) });
}

/** Every field we set is on the live object with the same value. */
function expectLanded(live: unknown, rendered: unknown, path: string): void {
  if (typeof rendered === "object" && rendered !== null && !Array.isArray(rendered)) {
    expect(typeof live, path).toBe("object");
    for (const [key, value] of Object.entries(rendered)) expectLanded((live as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(live, path).toEqual(rendered);
}

const readBack = (cluster: TestCluster, o: Pick<RenderedObject, "apiVersion" | "kind" | "metadata">) => cluster.rest().get(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
const appStatus = (app: KubeObject) => (app.status ?? {}) as { sync?: { status?: string }; health?: { status?: string } };
const isSyncedHealthy = (app: KubeObject) => appStatus(app).sync?.status === "Synced" && appStatus(app).health?.status === "Healthy";

describe("Argo CD as a second reconciler", () => {
  it("dry-run renders per reconciler: Applications and the unsupported fields for the Argo CD target, a clear reason where there is none", async () => {
    const { dryRunConfiguration } = await import("@/lib/push/dry-run");
    const all = [ids.flux, ids.argo, ids.bare];
    const result = await dryRunConfiguration(fleetSpec(all), all);
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    const byId = new Map(result.clusters.map((c) => [c.clusterId, c]));
    expect(byId.get(ids.flux)).toMatchObject({ reconciler: "flux", status: "ok" });
    expect(byId.get(ids.flux)?.objects.map((o) => o.object)).toContain("GitRepository flux-system/mixed");
    expect(byId.get(ids.argo)?.reconciler).toBe("argocd");
    expect(byId.get(ids.argo)?.objects.map((o) => [o.object, o.action])).toEqual([
      ["Secret argocd/mixed-auth", "create"],
      ["Application argocd/mixed-infra", "create"],
      ["Application argocd/mixed-apps", "create"],
    ]);
    expect(byId.get(ids.bare)).toMatchObject({ reconciler: null, status: "failed", error: expect.stringMatching(/^the cluster has no reconciler: neither Flux nor Argo CD/) });
    expect(result.yaml).toContain("kind: GitRepository");
    expect(result.argoYaml).toContain("kind: Application");
    expect(result.argoYaml).toContain("password: •••• (masked)");
    expect(result.unsupported?.map((f) => f.path)).toEqual(["source.interval", "source.timeout", "kustomizations.0.interval", "kustomizations.1.interval", "kustomizations.1.dependsOn"]);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("pushes Flux objects to the Flux cluster and Applications to the Argo CD cluster; every field lands; no reconciler fails clearly", async () => {
    const { id, version, progress } = await push([ids.flux, ids.argo, ids.bare]);
    const byId = new Map(progress.clusters.map((c) => [c.clusterId, c]));
    expect(byId.get(ids.argo)).toMatchObject({ state: "applied", objects: ["Secret argocd/mixed-auth", "Application argocd/mixed-infra", "Application argocd/mixed-apps"] });
    expect(byId.get(ids.flux)).toMatchObject({ state: "applied", objects: expect.arrayContaining(["Kustomization flux-system/mixed-apps"]) });
    expect(byId.get(ids.bare)).toMatchObject({ state: "failed", reason: expect.stringMatching(/^the cluster has no reconciler/) });
    for (const object of await renderedFor("argocd", id, version)) {
      const live = await readBack(argo, object);
      expect(live, `${object.kind} ${object.metadata.name}`).toBeDefined();
      expectLanded(live?.metadata, object.metadata, `${object.kind}.metadata`);
      if (object.spec) expectLanded(live?.spec, object.spec, `${object.kind}.spec`);
    }
    const app = await readBack(argo, { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "mixed-apps", namespace: "argocd" } });
    expect(app?.spec).toMatchObject({
      project: "default",
      source: { repoURL: sample.repo.url, path: "apps/podinfo", targetRevision: "main" },
      destination: { server: "https://kubernetes.default.svc", namespace: "podinfo" },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
    });
    const secret = await readBack(argo, { apiVersion: "v1", kind: "Secret", metadata: { name: "mixed-auth", namespace: "argocd" } });
    expect(secret?.metadata.labels?.["argocd.argoproj.io/secret-type"]).toBe("repository");
    const data = Object.fromEntries(Object.entries(secret?.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    expect(data).toEqual({ type: "git", url: sample.repo.url, username: "fleet-bot", password: TOKEN });
    // Each cluster got only its own reconciler's objects.
    expect(byId.get(ids.flux)?.objects.filter((o) => o.startsWith("Application"))).toEqual([]);
    expect(JSON.stringify(progress)).not.toContain(TOKEN);
  });

  it("both clusters become Compliant: the Flux one by the Flux derive, the Argo CD one by observeArgoCluster", async () => {
    const { id, currentVersion } = store.findConfigurationByName("mixed")!;
    await Promise.all(["mixed-infra", "mixed-apps"].map((name) => argoStandIn.waitFor(name, isSyncedHealthy, 30_000)));
    await fluxStandIn.waitForReady("Kustomization", "flux-system", "mixed-apps", 30_000);
    const { createClusterClient } = await import("@/lib/k8s/client");
    const client = (cluster: TestCluster) => createClusterClient({ server: cluster.server, token: cluster.adminToken, caData: cluster.caData });
    const applied = { version: currentVersion, action: "apply" as const, state: "applied" as const, reason: null };

    const { observeArgoCluster } = await import("./observe");
    const argoRendered = await renderedFor("argocd", id, currentVersion);
    const [observed] = await observeArgoCluster(client(argo), [{ configurationId: id, name: "mixed", expectedVersion: currentVersion, push: applied, rendered: argoRendered }], { now: Date.now() });
    expect(observed?.verdict).toMatchObject({ state: "Compliant", appliedVersion: currentVersion, argo: { sync: "Synced", health: "Healthy", revision: sample.commits.bump, resourceDrift: [] } });
    expect(observed?.verdict.argo.history).toEqual([{ id: 0, revision: sample.commits.bump, deployedAt: expect.any(String) }]);

    const [{ listManagedFluxObjects }, { deriveConfigurationState }] = await Promise.all([import("@/lib/reconcilers/flux/list"), import("@/lib/reconcilers/flux/derive")]);
    const fluxRendered = await renderedFor("flux", id, currentVersion);
    const expected = fluxRendered.filter((o) => o.kind !== "Secret" && o.kind !== "Namespace").map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name }));
    const fluxVerdict = async () => {
      const { objects: live, unservedKinds } = await listManagedFluxObjects(client(flux), ["flux-system"]);
      return deriveConfigurationState({ expected, expectedVersion: currentVersion, live, push: applied, unservedKinds, now: Date.now() });
    };
    // The stand-in keeps reconciling its other objects (source, infra) on their intervals; one caught
    // mid-reconcile reads Pending, as on a real cluster, so the verdict is read until it settles.
    await expect.poll(async () => (await fluxVerdict()).state, { timeout: 30_000, interval: 500 }).toBe("Compliant");
    expect(await fluxVerdict()).toMatchObject({ appliedVersion: currentVersion });
  });

  it("an OutOfSync Application makes the configuration Non-Compliant, naming it", async () => {
    const { id, currentVersion } = store.findConfigurationByName("mixed")!;
    argoStandIn.force("mixed-apps", { sync: "OutOfSync" });
    await argoStandIn.waitFor("mixed-apps", (app) => appStatus(app).sync?.status === "OutOfSync", 30_000);
    const { createClusterClient } = await import("@/lib/k8s/client");
    const { observeArgoCluster } = await import("./observe");
    const client = createClusterClient({ server: argo.server, token: argo.adminToken, caData: argo.caData });
    const rendered = await renderedFor("argocd", id, currentVersion);
    const [observed] = await observeArgoCluster(client, [{ configurationId: id, name: "mixed", expectedVersion: currentVersion, rendered }], { now: Date.now() });
    expect(observed?.verdict).toMatchObject({ state: "Non-Compliant", reason: "Application/mixed-apps: OutOfSync", argo: { sync: "OutOfSync" } });
    argoStandIn.clear("mixed-apps");
    await argoStandIn.waitFor("mixed-apps", isSyncedHealthy, 30_000);
  });

  it("removing the configuration from the Argo CD cluster deletes its Applications and repository Secret", async () => {
    const { id } = store.findConfigurationByName("mixed")!;
    const rolloutId = rollouts.startRemoval(id, [ids.argo], { actor, trigger: "target-change" })!;
    const progress = await run.runRollout(rolloutId);
    expect(progress?.clusters[0]?.state).toBe("removed");
    expect(progress?.clusters[0]?.objects).toEqual(expect.arrayContaining([expect.stringMatching(/argocd\/mixed-apps$/), expect.stringMatching(/argocd\/mixed-auth$/)]));
    const gone = await readBack(argo, { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "mixed-apps", namespace: "argocd" } });
    expect(gone === undefined || gone.metadata.deletionTimestamp !== undefined).toBe(true);
  });
});
