import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterClient } from "@/lib/k8s/client";
import { makeConfigurationSpecSchema } from "@/lib/validation/configuration";
import { startArgoStandIn, type ArgoStandIn } from "@/test-support/argo-standin";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { createSampleRepo, type SampleRepo } from "@/test-support/git-fixtures";
import { startGitServer, type GitServer } from "@/test-support/git-server";
import type { KubeObject, KubeRest } from "@/test-support/kube-rest";

// The Argo CD verbs against a real API server, with the Argo CD stand-in doing what the
// application controller does with a refresh request, a sync operation and the sync policy.
let git: GitServer;
let sample: SampleRepo;
let cluster: TestCluster;
let standIn: ArgoStandIn;
let client: ClusterClient;
let rest: KubeRest;
let verbs: typeof import("./verbs");
let observe: typeof import("./observe");
let rendered: import("@/lib/reconcilers/flux/render").KubeObject[];

const APP = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", namespace: "argocd" };
const apps = { name: "verbs-apps" };
type Status = { sync?: { status?: string }; health?: { status?: string }; reconciledAt?: string; history?: { initiatedBy?: { username?: string } }[]; operationState?: { operation?: { sync?: { prune?: boolean } } } };
const st = (app: KubeObject) => (app.status ?? {}) as Status;
const isSyncedHealthy = (app: KubeObject) => st(app).sync?.status === "Synced" && st(app).health?.status === "Healthy";
const live = async (name: string) => (await rest.get(APP.apiVersion, APP.kind, APP.namespace, name))!;

beforeAll(async () => {
  [git, cluster] = await Promise.all([startGitServer(), startCluster({ name: "argo-verbs", flux: false, argo: true })]);
  sample = await createSampleRepo(git);
  standIn = await startArgoStandIn(cluster, { resyncMs: 500 });
  rest = cluster.rest();
  const [{ createClusterClient }, { renderArgoObjects }] = await Promise.all([import("@/lib/k8s/client"), import("./render")]);
  [verbs, observe] = await Promise.all([import("./verbs"), import("./observe")]);
  client = createClusterClient({ server: cluster.server, token: cluster.adminToken, caData: cluster.caData });
  const spec = makeConfigurationSpecSchema({ allowLocalSources: true }).parse({
    name: "verbs",
    scope: "cluster",
    source: { kind: "GitRepository", url: sample.repo.url, ref: { type: "branch", value: "main" } },
    kustomizations: [
      { name: "infra", path: "./infrastructure" },
      { name: "apps", path: "./apps/podinfo", targetNamespace: "podinfo", prune: true },
    ],
    targets: { clusterIds: ["c1"] },
  });
  rendered = renderArgoObjects({ spec, version: 1, configurationId: "cfg-verbs" });
  for (const object of rendered) await client.applyObject(object, { fieldManager: "fleetline" });
  await Promise.all(["verbs-infra", "verbs-apps"].map((name) => standIn.waitFor(name, isSyncedHealthy, 30_000)));
});

afterAll(async () => {
  await standIn?.stop();
  await Promise.all([cluster?.stop(), git?.stop()]);
});

async function verdict() {
  const listing = await observe.listManagedApplications(client, { configuration: "verbs" });
  const [observed] = observe.observeArgoTargets(listing, [{ configurationId: "cfg-verbs", name: "verbs", expectedVersion: 1, rendered }], Date.now());
  return observed!.verdict;
}

describe("Argo CD verbs", () => {
  it("refresh sets argocd.argoproj.io/refresh; Argo CD handles it and removes it", async () => {
    const before = st(await live(apps.name)).reconciledAt;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // reconciledAt has second precision
    const patched = await verbs.refreshApplication(client, apps);
    expect(patched.metadata.annotations?.["argocd.argoproj.io/refresh"]).toBe("normal");
    const handled = await standIn.waitFor(apps.name, (app) => app.metadata.annotations?.["argocd.argoproj.io/refresh"] === undefined && st(app).reconciledAt !== before, 30_000);
    expect(isSyncedHealthy(handled)).toBe(true);
  });

  it("suspend removes syncPolicy.automated and keeps it in an annotation; drift then shows as resource drift", async () => {
    expect(await verbs.suspendApplication(client, apps)).toBe(true);
    const suspended = await live(apps.name);
    expect((suspended.spec as { syncPolicy: object }).syncPolicy).toEqual({ syncOptions: ["CreateNamespace=true"] });
    expect(JSON.parse(suspended.metadata.annotations?.["fleetline.io/argo-automated"] ?? "")).toEqual({ prune: true, selfHeal: true });
    expect(await verbs.suspendApplication(client, apps)).toBe(false);
    // A reconcile already running may still hold the old policy (with self-heal) and would undo the
    // edit below, as Argo CD's own in-flight reconcile would: let one pass that reads the suspended spec end first.
    await verbs.refreshApplication(client, apps);
    await standIn.waitFor(apps.name, (app) => app.metadata.annotations?.["argocd.argoproj.io/refresh"] === undefined, 30_000);

    // With self-heal off, a hand edit stays and Argo CD reports the resource OutOfSync.
    await rest.mergePatch({ apiVersion: "v1", kind: "ConfigMap", namespace: "podinfo", name: "podinfo-config" }, { data: { message: "edited by hand" } });
    await verbs.refreshApplication(client, apps);
    await standIn.waitFor(apps.name, (app) => st(app).sync?.status === "OutOfSync", 30_000);
    expect(await verdict()).toMatchObject({
      state: "Suspended",
      reason: "Application/verbs-apps: AutoSyncDisabled",
      argo: { resourceDrift: [{ application: "verbs-apps", kind: "ConfigMap", namespace: "podinfo", name: "podinfo-config" }] },
    });
  });

  it("sync now requests an operation that Argo CD runs (with the saved prune policy) and clears", async () => {
    await verbs.syncApplication(client, apps);
    const synced = await standIn.waitFor(apps.name, (app) => app.operation === undefined && (st(app).history?.length ?? 0) === 2 && st(app).sync?.status === "Synced", 30_000);
    expect(st(synced).history?.at(-1)?.initiatedBy).toEqual({ username: "fleetline" });
    expect(st(synced).operationState?.operation?.sync?.prune).toBe(true);
    const configMap = await rest.get("v1", "ConfigMap", "podinfo", "podinfo-config");
    expect((configMap?.data as { message: string }).message).toBe(sample.message);
  });

  it("resume puts the automated policy back and drops the annotation", async () => {
    expect(await verbs.resumeApplication(client, apps)).toBe(true);
    const resumed = await live(apps.name);
    expect((resumed.spec as { syncPolicy: { automated: object } }).syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(resumed.metadata.annotations?.["fleetline.io/argo-automated"]).toBeUndefined();
    expect(await verbs.resumeApplication(client, apps)).toBe(false);
    await standIn.waitFor(apps.name, isSyncedHealthy, 30_000);
    expect(await verdict()).toMatchObject({ state: "Compliant", argo: { resourceDrift: [] } });
  });

  it("resume refuses an Application whose policy someone else removed, saying what to do", async () => {
    await rest.mergePatch({ ...APP, name: "verbs-infra" }, { spec: { syncPolicy: { automated: null } } });
    await expect(verbs.resumeApplication(client, { name: "verbs-infra" })).rejects.toThrow("Application argocd/verbs-infra: no saved sync policy to restore; push the configuration again");
  });
});
