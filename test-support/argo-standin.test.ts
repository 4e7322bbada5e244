// Self-tests of the Argo CD stand-in: automated and manual sync, refresh,
// history, forced states.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH_ANNOTATION, startArgoStandIn, type ArgoStandIn } from "./argo-standin";
import { startCluster, type TestCluster } from "./cluster";
import { createSampleRepo, podinfoFiles, type SampleRepo } from "./git-fixtures";
import { startGitServer, type GitServer } from "./git-server";
import type { KubeObject, KubeRest } from "./kube-rest";
import { applyObjects, sampleApplication } from "./sample-objects";
import { deriveApplicationState, type ArgoApplication } from "@/lib/reconcilers/argo/status";
import { argoFixture, FIXTURE_NOW } from "./status-fixtures";

const GRACE_MS = 3000;

type AppStatus = {
  sync: { status: string; revision: string };
  health: { status: string; message?: string };
  history?: { id: number; revision: string; deployedAt: string; initiatedBy?: { username?: string; automated?: boolean } }[];
  resources?: { kind: string; name: string; namespace?: string; status: string; health?: { status: string } }[];
  operationState?: { phase: string; message: string; syncResult: { revision: string } };
  reconciledAt?: string;
};
const st = (app: KubeObject): AppStatus => app.status as AppStatus;
const APP = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", namespace: "argocd" };

describe("Argo CD stand-in", () => {
  let cluster: TestCluster;
  let git: GitServer;
  let sample: SampleRepo;
  let argo: ArgoStandIn;
  let rest: KubeRest;

  beforeAll(async () => {
    [cluster, git] = await Promise.all([startCluster({ flux: false, argo: true }), startGitServer()]);
    sample = await createSampleRepo(git);
    rest = cluster.rest();
    argo = await startArgoStandIn(cluster, { resyncMs: 1000, repoErrorGraceMs: GRACE_MS });
  });
  afterAll(async () => {
    await argo?.stop();
    await Promise.all([cluster?.stop(), git?.stop()]);
  });

  it("syncs an automated Application to Synced/Healthy with history", async () => {
    await applyObjects(rest, [sampleApplication(sample.repo.url, "podinfo")]);
    const app = await argo.waitFor("podinfo", (a) => st(a)?.sync?.status === "Synced" && st(a).health?.status === "Healthy");
    expect(st(app).sync.revision).toBe(sample.commits.bump);
    expect(st(app).history).toEqual([expect.objectContaining({ id: 0, revision: sample.commits.bump, initiatedBy: { automated: true } })]);
    expect(st(app).operationState).toMatchObject({ phase: "Succeeded", syncResult: { revision: sample.commits.bump } });
    expect(st(app).resources).toEqual([
      { version: "v1", kind: "ConfigMap", namespace: "podinfo-argo", name: "podinfo-config", status: "Synced" },
      { version: "v1", kind: "Service", namespace: "podinfo-argo", name: "podinfo", status: "Synced", health: { status: "Healthy" } },
    ]);
    const cm = (await rest.get("v1", "ConfigMap", "podinfo-argo", "podinfo-config")) as KubeObject;
    expect(cm.metadata.labels?.["app.kubernetes.io/instance"]).toBe("podinfo");
    expect((cm.metadata.managedFields as { manager: string }[]).map((f) => f.manager)).toContain("argocd-controller");
  });

  it("follows new commits and heals drift (automated, selfHeal)", async () => {
    const sha = await git.commit("fleet-config", podinfoFiles("hello from argo"), "podinfo: argo");
    const app = await argo.waitFor("podinfo", (a) => st(a).sync.revision === sha && st(a).sync.status === "Synced");
    expect(st(app).history?.map((h) => h.revision)).toEqual([sample.commits.bump, sha]);
    await rest.mergePatch({ apiVersion: "v1", kind: "ConfigMap", namespace: "podinfo-argo", name: "podinfo-config" }, { data: { message: "drift" } });
    await argo.waitFor("podinfo", (a) => (st(a).history?.length ?? 0) === 3);
    const cm = await rest.get("v1", "ConfigMap", "podinfo-argo", "podinfo-config");
    expect((cm?.data as { message: string }).message).toBe("hello from argo");
  });

  it("leaves a manual Application OutOfSync/Missing until an operation requests a sync", async () => {
    await applyObjects(rest, [sampleApplication(sample.repo.url, "manual", { automated: false, namespace: "manual" })]);
    const pending = await argo.waitFor("manual", (a) => st(a)?.sync?.status === "OutOfSync");
    expect(st(pending).health.status).toBe("Missing");
    expect(st(pending).history).toBeUndefined();

    await rest.mergePatch({ ...APP, name: "manual" }, { operation: { sync: { revision: "HEAD", syncOptions: ["CreateNamespace=true"] }, initiatedBy: { username: "alice" } } });
    const synced = await argo.waitFor("manual", (a) => st(a).sync.status === "Synced");
    expect(synced.operation).toBeUndefined();
    expect(st(synced).health.status).toBe("Healthy");
    expect(st(synced).history).toEqual([expect.objectContaining({ id: 0, initiatedBy: { username: "alice" } })]);
    expect(st(synced).operationState).toMatchObject({ phase: "Succeeded", message: "successfully synced (all tasks run)" });
  });

  it("handles the refresh annotation and removes it", async () => {
    const before = st((await rest.get(APP.apiVersion, APP.kind, "argocd", "manual")) as KubeObject).reconciledAt;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // reconciledAt has second precision
    await rest.mergePatch({ ...APP, name: "manual" }, { metadata: { annotations: { [REFRESH_ANNOTATION]: "normal" } } });
    const refreshed = await argo.waitFor("manual", (a) => a.metadata.annotations?.[REFRESH_ANNOTATION] === undefined && st(a).reconciledAt !== before);
    expect(st(refreshed).sync.status).toBe("Synced");
  });

  it("reports forced OutOfSync, Degraded and Progressing until cleared", async () => {
    argo.force("podinfo", { sync: "OutOfSync", health: "Degraded", message: "Back-off pulling image" });
    const degraded = await argo.waitFor("podinfo", (a) => st(a).health.status === "Degraded");
    expect(st(degraded)).toMatchObject({ sync: { status: "OutOfSync" }, health: { message: "Back-off pulling image" } });
    argo.force("podinfo", { health: "Progressing" });
    await argo.waitFor("podinfo", (a) => st(a).health.status === "Progressing" && st(a).sync.status === "Synced");
    argo.clear("podinfo");
    await argo.waitFor("podinfo", (a) => st(a).health.status === "Healthy");
  });

  it("keeps quiet about a repository error for the grace period, then reports a ComparisonError with sync Unknown and no revision", async () => {
    const app = sampleApplication(sample.repo.url, "no-path");
    (app.spec as { source: { path: string } }).source.path = "does/not/exist";
    const started = Date.now();
    await applyObjects(rest, [app]);
    const failed = await argo.waitFor("no-path", (a) => st(a)?.sync?.status === "Unknown", GRACE_MS + 15_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_MS);
    const conditions = (failed.status as { conditions: { type: string; message: string }[] }).conditions;
    expect(conditions).toEqual([expect.objectContaining({ type: "ComparisonError", message: expect.stringContaining("does/not/exist") })]);
    expect(st(failed).sync.revision).toBeUndefined();
    const fixture = argoFixture("argo-comparison-error");
    expect(deriveApplicationState(failed as unknown as ArgoApplication, FIXTURE_NOW)).toMatchObject(fixture.expected);
  });

  it("hides a repository error on a synced Application for the grace period, then clears sync.revision", async () => {
    const synced = await argo.waitFor("podinfo", (a) => st(a).sync.status === "Synced" && st(a).health.status === "Healthy");
    await rest.mergePatch({ ...APP, name: "podinfo" }, { spec: { source: { path: "gone" } } });
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 2));
    // Still the stale Synced status, revision and all.
    expect(st((await rest.get(APP.apiVersion, APP.kind, "argocd", "podinfo")) as KubeObject).sync).toMatchObject({ status: "Synced", revision: st(synced).sync.revision });
    const failed = await argo.waitFor("podinfo", (a) => st(a).sync.status === "Unknown", GRACE_MS + 15_000);
    expect(st(failed).sync.revision).toBeUndefined();
    expect(st(failed).history?.length).toBe(st(synced).history?.length);
    await rest.mergePatch({ ...APP, name: "podinfo" }, { spec: { source: { path: "apps/podinfo" } } });
    await argo.waitFor("podinfo", (a) => st(a).sync.status === "Synced");
  });

  it("records a SyncError after a failed automated sync and does not retry that revision", async () => {
    await git.createRepo("bad-sync", { files: { "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: numbers\ndata:\n  n: 1\n" } });
    const app = sampleApplication(git.url("bad-sync"), "bad-sync", { namespace: "bad-sync" });
    (app.spec as { source: { path: string } }).source.path = "apps";
    await applyObjects(rest, [app]);
    const failed = await argo.waitFor("bad-sync", (a) => ((a.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === "SyncError"), 30_000);
    const sha = await git.head("bad-sync");
    expect(st(failed).operationState).toMatchObject({ phase: "Failed", syncResult: { revision: sha } });
    expect(st(failed).sync).toMatchObject({ status: "OutOfSync", revision: sha });
    const condition = (failed.status as { conditions: { type: string; message: string }[] }).conditions[0];
    expect(condition?.message).toMatch(new RegExp(`^Failed last sync attempt to \\[${sha}\\]: one or more objects failed to apply`));
    expect(deriveApplicationState(failed as unknown as ArgoApplication, FIXTURE_NOW)).toMatchObject(argoFixture("argo-sync-error").expected);
    // Several resyncs later the same operation is still the last one: no retry of that revision.
    const startedAt = (failed.status as { operationState: { startedAt: string } }).operationState.startedAt;
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const later = (await rest.get(APP.apiVersion, APP.kind, "argocd", "bad-sync")) as KubeObject;
    expect((later.status as { operationState: { startedAt: string } }).operationState.startedAt).toBe(startedAt);
    expect(st(later).history ?? []).toEqual([]);
  });
});
