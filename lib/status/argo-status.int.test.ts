import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { startArgoStandIn, type ArgoStandIn } from "@/test-support/argo-standin";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";
import type { KubeObject } from "@/test-support/kube-rest";

// A mixed fleet: one Flux cluster (fleet fixture, Flux stand-in) and one Argo CD cluster (Argo
// CD stand-in), one configuration pushed to both, observed by the one collector. The Argo CD
// stand-in only compares on a change, a refresh request or a force (its resync is a minute),
// so each state below is observed deterministically.
let fleet: FleetFixture;
let argo: TestCluster;
let standIn: ArgoStandIn;
let collector: typeof import("@/lib/observe/loop");
let verbs: typeof import("./verbs");
let db: typeof import("@/db/schema-status");
const ids = { flux: "", argo: "", configuration: "" };
const APPS = ["mixed-infra", "mixed-apps"];

type AppStatus = { sync?: { status?: string }; health?: { status?: string }; reconciledAt?: string; history?: unknown[] };
const st = (app: KubeObject) => (app.status ?? {}) as AppStatus;
const isSyncedHealthy = (app: KubeObject) => st(app).sync?.status === "Synced" && st(app).health?.status === "Healthy";
const readApp = async (name: string) => (await argo.rest().get("argoproj.io/v1alpha1", "Application", "argocd", name))!;

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 1, name: "status-flux", resyncMs: 0 });
  argo = await startCluster({ name: "status-argo", flux: false, argo: true });
  standIn = await startArgoStandIn(argo, { resyncMs: 60_000 });
  [collector, verbs, db] = await Promise.all([import("@/lib/observe/loop"), import("./verbs"), import("@/db/schema-status")]);
  const { checkConnection, insertCluster } = await import("@/lib/inventory/registry");
  const credentials = { server: argo.server, token: argo.adminToken, caData: argo.caData };
  // Registered as the app does it: the probe stores the detected reconciler (Argo CD).
  ids.argo = insertCluster({ name: argo.name, displayName: argo.name, labels: { env: "prod" }, authMethod: "token", credentials, createdBy: "test" }, await checkConnection(credentials)).id;
  ids.flux = fleet.clusterIds[0]!;
});

afterAll(async () => {
  await standIn?.stop();
  await argo?.stop();
  await fleet?.stop();
});

function rowOf(clusterId: string): ConfigurationStatus | undefined {
  return fleet.temp.db.select().from(db.configurationStatus).all().find((r) => r.clusterId === clusterId && r.configurationId === ids.configuration);
}

/** Sweeps until the row matches (or fails with the last row seen). */
async function sweepUntil(clusterId: string, predicate: (row: ConfigurationStatus) => boolean, timeoutMs = 30_000): Promise<ConfigurationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.runStatusSweep({ gitMaxAgeMs: 0 });
    const row = rowOf(clusterId);
    if (row && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`timed out; last row: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe("a mixed fleet", () => {
  it("one configuration is Compliant on the Flux cluster and on the Argo CD cluster, each row naming its reconciler", async () => {
    const sample = fleet.harness.sample!;
    const saved = fleet.save({
      name: "mixed",
      scope: "cluster",
      source: { kind: "GitRepository", url: sample.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
      kustomizations: [
        { name: "infra", path: "./infrastructure", prune: true },
        { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true },
      ],
      targets: { clusterIds: [ids.flux, ids.argo] },
    });
    ids.configuration = saved.id;
    const progress = await fleet.push(saved.id, saved.version);
    expect(progress.counts.applied).toBe(2);
    const revision = `main@sha1:${sample.commits.bump}`;
    const argoRow = await sweepUntil(ids.argo, (r) => r.state === "Compliant" && r.behindBy === 0);
    expect(argoRow).toMatchObject({ reconciler: "argocd", argoSync: "Synced", argoHealth: "Healthy", argoOperationPhase: "Succeeded", appliedVersion: 1, appliedRevision: revision, sourceRevision: revision });
    expect(argoRow).toMatchObject({ reason: "Application/mixed-infra: Synced", hasConfigDrift: false, hasRevisionDrift: false, hasResourceDrift: false });
    expect(argoRow.argoHistory?.at(-1)).toEqual({ id: expect.any(Number), revision: sample.commits.bump, deployedAt: expect.any(String) });
    expect(argoRow.lastAppliedAt).toEqual(new Date(argoRow.argoHistory!.at(-1)!.deployedAt));
    const fluxRow = await sweepUntil(ids.flux, (r) => r.state === "Compliant");
    expect(fluxRow).toMatchObject({ reconciler: "flux", argoSync: null, argoHealth: null, argoHistory: null, appliedRevision: revision, hasConfigDrift: false });

    const { configurationStatusRows, objectStatuses } = await import("@/lib/queries/configuration-status");
    expect(configurationStatusRows(saved.id).rows.map((r) => [r.clusterName, r.reconciler, r.state]).sort()).toEqual([
      [argo.name, "argocd", "Compliant"],
      [fleet.harness.clusters[0]!.name, "flux", "Compliant"],
    ]);
    // The cluster page's Argo CD panel: each Application with its state, revision and owning configuration (issue 13).
    const { argoApplications } = await import("@/lib/queries/clusters");
    expect(argoApplications(ids.argo).map((a) => [a.name, a.state, a.revision, a.configurationName, a.sync, a.health])).toEqual([
      ["mixed-apps", "Compliant", sample.commits.bump, "mixed", "Synced", "Healthy"],
      ["mixed-infra", "Compliant", sample.commits.bump, "mixed", "Synced", "Healthy"],
    ]);
    expect(objectStatuses(ids.argo, saved.id).map((o) => [o.kind, o.name, o.state, o.ready])).toEqual([
      ["Application", "mixed-apps", "Compliant", "True"],
      ["Application", "mixed-infra", "Compliant", "True"],
    ]);
    // The applied commit is marked for both clusters, and Argo CD's own history is at hand.
    const { argoDeployments, commitHistory } = await import("./commits");
    const history = await commitHistory(saved.id);
    if (history.status !== "ok") throw new Error(JSON.stringify(history));
    expect(history.commits.find((c) => c.sha === sample.commits.bump)?.appliedOn.map((c) => c.clusterId).sort()).toEqual([ids.flux, ids.argo].sort());
    expect(argoDeployments(saved.id)).toEqual([{ clusterId: ids.argo, clusterName: argo.name, deployments: [...rowOf(ids.argo)!.argoHistory!].reverse() }]);
  });

  it("an Application forced OutOfSync makes the Argo CD row Non-Compliant; the Flux row stays Compliant", async () => {
    standIn.force("mixed-apps", { sync: "OutOfSync" });
    await standIn.waitFor("mixed-apps", (app) => st(app).sync?.status === "OutOfSync", 30_000);
    const row = await sweepUntil(ids.argo, (r) => r.state === "Non-Compliant");
    expect(row).toMatchObject({ reason: "Application/mixed-apps: OutOfSync", argoSync: "OutOfSync", argoHealth: "Healthy" });
    expect(rowOf(ids.flux)?.state).toBe("Compliant");
    standIn.clear("mixed-apps");
    await standIn.waitFor("mixed-apps", isSyncedHealthy, 30_000);
    await sweepUntil(ids.argo, (r) => r.state === "Compliant");
  });
});

describe("verbs on the Argo CD cluster", () => {
  it("reconcile now sets the refresh annotation on each Application; Argo CD handles and clears it", async () => {
    const before = await Promise.all(APPS.map(async (name) => st(await readApp(name)).reconciledAt));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // reconciledAt has second precision
    const result = await verbs.reconcileNow(ids.argo, ids.configuration);
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    expect(result).toMatchObject({ verb: "refresh", patched: ["Application argocd/mixed-infra", "Application argocd/mixed-apps"] });
    expect(rowOf(ids.argo)?.reconcileRequestedAt).toBe(result.token);
    // Nothing else makes the stand-in compare within its minute-long resync: a new reconciledAt is the refresh handled.
    await Promise.all(APPS.map((name, i) => standIn.waitFor(name, (app) => app.metadata.annotations?.["argocd.argoproj.io/refresh"] === undefined && st(app).reconciledAt !== before[i], 30_000)));
    const row = await sweepUntil(ids.argo, (r) => r.lastHandledReconcileAt === result.token);
    expect(row).toMatchObject({ state: "Compliant", reconcileRequestedAt: result.token });
  });

  it("reconcile now with the source syncs each Application: a new history entry, initiated by Fleetline", async () => {
    const result = await verbs.reconcileNow(ids.argo, ids.configuration, { withSource: true });
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    expect(result.verb).toBe("sync");
    // The stand-in may sync again by itself right after (both Applications touch the podinfo Namespace): wait for Compliant.
    const byFleetline = (app: KubeObject) => !app.operation && ((st(app).history ?? []) as { initiatedBy?: { username?: string } }[]).some((h) => h.initiatedBy?.username === "fleetline");
    await Promise.all(APPS.map((name) => standIn.waitFor(name, byFleetline, 30_000)));
    const row = await sweepUntil(ids.argo, (r) => r.lastHandledReconcileAt === result.token && r.state === "Compliant");
    expect(row.argoHistory?.length).toBeGreaterThanOrEqual(2);
    expect(row.hasConfigDrift).toBe(false);
  });

  it("suspend and resume act on the automated sync policy, and neither is configuration drift", async () => {
    const suspended = await verbs.suspend(ids.configuration, ids.argo);
    expect(suspended).toMatchObject({ status: "ok", clusters: [{ clusterId: ids.argo, status: "ok", patched: ["Application argocd/mixed-infra", "Application argocd/mixed-apps"] }] });
    expect((await readApp("mixed-apps")).spec).not.toHaveProperty("syncPolicy.automated");
    const row = await sweepUntil(ids.argo, (r) => r.state === "Suspended");
    expect(row.hasConfigDrift).toBe(false);
    expect(rowOf(ids.flux)?.state).toBe("Compliant");
    await verbs.resume(ids.configuration, ids.argo);
    const resumed = await sweepUntil(ids.argo, (r) => r.state === "Compliant");
    expect(resumed.hasConfigDrift).toBe(false);
  });

  it("an Application edited by hand is configuration drift, and the Drift tab names the field", async () => {
    await argo.rest().mergePatch({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", namespace: "argocd", name: "mixed-apps" }, { spec: { syncPolicy: { automated: { selfHeal: false } } } });
    const row = await sweepUntil(ids.argo, (r) => r.hasConfigDrift);
    expect(row.configDrift).toEqual([{ object: "Application argocd/mixed-apps", change: "changed", paths: ["spec.syncPolicy.automated.selfHeal"] }]);
    const { computeDrift } = await import("@/lib/drift/compute");
    const drift = await computeDrift(ids.argo, ids.configuration);
    if (drift.status !== "ok") throw new Error(JSON.stringify(drift));
    expect(drift.configuration.map((d) => [d.object, d.fields.map((f) => f.path)])).toEqual([["Application argocd/mixed-apps", ["spec.syncPolicy.automated.selfHeal"]]]);
    expect(drift.resource.map((r) => [r.kustomization, r.method, r.objects.length])).toEqual([
      ["mixed-infra", "argocd", 0],
      ["mixed-apps", "argocd", 0],
    ]);
    expect(drift.revision).toMatchObject({ appliedRevision: `main@sha1:${fleet.harness.sample!.commits.bump}`, behindBy: 0 });
  });

  it("an Application moved to another branch is labelled with that branch, diverged from the tracked one; behind counts what the Commits tab lists", async () => {
    const sample = fleet.harness.sample!;
    // Both Applications patched by hand to the staging branch, which forked from main (issue 13).
    for (const name of APPS) await argo.rest().mergePatch({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", namespace: "argocd", name }, { spec: { source: { targetRevision: sample.stagingBranch } } });
    // mixed-infra's files are the same on staging, so Argo CD has nothing to auto-sync there: a sync request deploys it.
    await standIn.waitFor("mixed-infra", (app) => (st(app) as { sync?: { revision?: string } }).sync?.revision === sample.commits.staging, 30_000);
    // mixed-apps' files differ on staging: it auto-syncs; the request waits for that to finish.
    await standIn.waitFor("mixed-apps", (app) => !app.operation && (st(app).history as { revision?: string }[] | undefined)?.at(-1)?.revision === sample.commits.staging, 30_000);
    const synced = await verbs.reconcileNow(ids.argo, ids.configuration, { withSource: true });
    if (synced.status !== "ok") throw new Error(JSON.stringify(synced));
    const diverged = await sweepUntil(ids.argo, (r) => r.appliedRevision?.endsWith(sample.commits.staging) === true && r.aheadBy !== null);
    expect(diverged).toMatchObject({ appliedRevision: `staging@sha1:${sample.commits.staging}`, sourceRevision: `staging@sha1:${sample.commits.staging}`, behindBy: 1, aheadBy: 1, hasRevisionDrift: true });
    // A commit on main outside the Kustomization paths: the Commits tab does not list it, so it is not counted.
    const docs = await fleet.harness.git!.commit(sample.repo.name, { "docs/notes.md": "notes\n" }, "Docs only");
    // A sweep fetches the source (Git max age 0), then the Commits tab reads the same cache.
    const after = await sweepUntil(ids.argo, (r) => r.behindBy !== null);
    const { commitHistory } = await import("./commits");
    const history = await commitHistory(ids.configuration);
    if (history.status !== "ok") throw new Error(JSON.stringify(history));
    expect(history.headSha).toBe(docs);
    expect(history.commits.map((c) => c.sha)).not.toContain(docs);
    expect(after).toMatchObject({ behindBy: 1, aheadBy: 1 });
    const { configurationStatusRows } = await import("@/lib/queries/configuration-status");
    const shown = configurationStatusRows(ids.configuration).rows.find((r) => r.clusterId === ids.argo)!;
    const { revisionDriftText } = await import("@/lib/words");
    expect(revisionDriftText(shown)).toBe("Diverged (1 ahead, 1 behind)");
  });

  it("a stopped Argo CD cluster turns Unknown, keeping its reconciler and what was last seen", async () => {
    const before = rowOf(ids.argo)!;
    await standIn.stop();
    await argo.stop();
    const result = await collector.runStatusSweep({ clusterIds: [ids.argo] });
    expect(result.clusters[0]).toMatchObject({ status: "unreachable" });
    // A stopped server refuses new connections; a kept-alive one is reset instead ("network").
    expect(rowOf(ids.argo)).toMatchObject({ state: "Unknown", reason: expect.stringMatching(/^ClusterUnreachable: (refused|network)$/), reconciler: "argocd", argoSync: before.argoSync, appliedRevision: before.appliedRevision, lastSeenAt: before.lastSeenAt });
  });
});
