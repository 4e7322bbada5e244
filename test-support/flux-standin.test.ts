// Self-tests of the Flux stand-in against a real API server and git fixtures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./cluster";
import { getCondition, type Condition } from "./conditions";
import { startFluxStandIn, type FluxStandIn } from "./flux-standin";
import { createSampleRepo, podinfoFiles, type SampleRepo } from "./git-fixtures";
import { startGitServer, type GitServer } from "./git-server";
import type { KubeObject, KubeRest } from "./kube-rest";
import { pollUntil, sleep } from "./process-guard";
import { deriveObjectState } from "@/lib/reconcilers/flux/derive";
import { fluxFixture, shapesToCompare } from "./status-fixtures";
import { applyObjects, sampleFluxObjects, sampleGitRepository, sampleKustomization } from "./sample-objects";

const NS = "flux-system";
const GIT = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", namespace: NS };
const KS = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: NS };

type KsStatus = { lastAppliedRevision?: string; lastAttemptedRevision?: string; lastHandledReconcileAt?: string; observedGeneration?: number; inventory?: { entries: { id: string; v: string }[] } };
const isReadyAt = (obj: KubeObject): boolean => getCondition(obj, "Ready")?.status === "True" && (obj.status as { observedGeneration?: number }).observedGeneration === obj.metadata.generation;
const st = (obj: KubeObject): KsStatus & { artifact?: { revision: string; digest: string } } => (obj.status ?? {}) as KsStatus;
const ready = (obj: KubeObject): Condition | undefined => getCondition(obj, "Ready");
const DEPENDENCY_REQUEUE_MS = 3000;

/** The stand-in's object has the fixture's status shape, and the portal reads both alike. */
function expectLikeFixture(obj: KubeObject, fixtureId: string): void {
  const { actual, expected } = shapesToCompare(obj, fixtureId);
  expect(actual).toEqual(expected);
  const verdict = deriveObjectState(obj as Parameters<typeof deriveObjectState>[0], Date.now());
  expect({ state: verdict.state, reason: verdict.reason }).toEqual(fluxFixture(fixtureId).expected);
}

describe("Flux stand-in", () => {
  let cluster: TestCluster;
  let git: GitServer;
  let sample: SampleRepo;
  let flux: FluxStandIn;
  let rest: KubeRest;

  beforeAll(async () => {
    [cluster, git] = await Promise.all([startCluster(), startGitServer()]);
    sample = await createSampleRepo(git);
    rest = cluster.rest();
    flux = await startFluxStandIn(cluster, { resyncMs: 1000, dependencyRequeueMs: DEPENDENCY_REQUEUE_MS });
    await applyObjects(rest, sampleFluxObjects(sample.repo.url));
  });
  afterAll(async () => {
    await flux?.stop();
    await Promise.all([cluster?.stop(), git?.stop()]);
  });

  const configMessage = async (): Promise<string | undefined> =>
    ((await rest.get("v1", "ConfigMap", "podinfo", "podinfo-config"))?.data as { message?: string } | undefined)?.message;

  it("brings a Kustomization over the fixture repo to Ready=True at the right revision, with inventory", async () => {
    const revision = `main@sha1:${sample.commits.bump}`;
    const source = await flux.waitForReady("GitRepository", NS, "fleet-config");
    expect(st(source).artifact).toMatchObject({ revision, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(ready(source)).toMatchObject({ reason: "Succeeded", message: `stored artifact for revision '${revision}'` });

    const apps = await flux.waitForReady("Kustomization", NS, "apps");
    expect(ready(apps)).toMatchObject({ status: "True", reason: "ReconciliationSucceeded", message: `Applied revision: ${revision}` });
    expect(st(apps)).toMatchObject({ lastAppliedRevision: revision, lastAttemptedRevision: revision, observedGeneration: apps.metadata.generation });
    expect(st(apps).inventory?.entries).toEqual([
      { id: "podinfo_podinfo-config__ConfigMap", v: "v1" },
      { id: "podinfo_podinfo__Service", v: "v1" },
    ]);
    const infra = await flux.waitForReady("Kustomization", NS, "infrastructure");
    expect(st(infra).inventory?.entries.map((e) => e.id)).toEqual(["_podinfo__Namespace", "podinfo_cluster-settings__ConfigMap"]);

    // Every object reconciled is requeued on its interval (here resyncMs, 1 s): the next is due within it.
    const next = flux.nextReconcileAt();
    expect(next).toBeDefined();
    expect(next! - Date.now()).toBeLessThanOrEqual(1000);

    const cm = (await rest.get("v1", "ConfigMap", "podinfo", "podinfo-config")) as KubeObject;
    expect(cm.data).toEqual({ message: sample.message, replicas: "2" });
    expect(cm.metadata.labels).toMatchObject({ "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": NS });
    expect(cm.metadata.managedFields).toEqual([expect.objectContaining({ manager: "kustomize-controller", operation: "Apply" })]);
  });

  it("moves lastAppliedRevision when a commit lands", async () => {
    const sha = await git.commit("fleet-config", podinfoFiles("hello from v3"), "podinfo: v3");
    // Revision and Ready in one sample: a later resync passes through Ready=Unknown with the same revision.
    await flux.waitFor("Kustomization", NS, "apps", (o) => st(o).lastAppliedRevision === `main@sha1:${sha}` && ready(o)?.status === "True");
    expect(await configMessage()).toBe("hello from v3");
  });

  it("reverts a hand edit of an applied ConfigMap (drift correction)", async () => {
    await rest.mergePatch({ apiVersion: "v1", kind: "ConfigMap", namespace: "podinfo", name: "podinfo-config" }, { data: { message: "edited by hand" } });
    expect(await configMessage()).toBe("edited by hand");
    await pollUntil("the hand edit to be reverted", 15_000, 200, async () => ((await configMessage()) === "hello from v3" ? true : undefined));
    const cm = (await rest.get("v1", "ConfigMap", "podinfo", "podinfo-config")) as KubeObject;
    expect((cm.metadata.managedFields as { manager: string }[]).find((f) => f.manager === "kustomize-controller")).toBeDefined();
  });

  it("prunes objects removed from git", async () => {
    const sha = await git.deletePath("fleet-config", "apps/podinfo/service.yaml");
    const apps = await flux.waitFor("Kustomization", NS, "apps", (o) => st(o).lastAppliedRevision === `main@sha1:${sha}`);
    expect(st(apps).inventory?.entries.map((e) => e.id)).toEqual(["podinfo_podinfo-config__ConfigMap"]);
    expect(await rest.get("v1", "Service", "podinfo", "podinfo")).toBeUndefined();
  });

  it("reports a missing path as ArtifactFailed without lastAttemptedRevision, retrying, and dependents as DependencyNotReady", async () => {
    await applyObjects(rest, [
      sampleKustomization("broken-path", { path: "./does-not-exist" }),
      sampleKustomization("after-broken", { path: "./infrastructure", dependsOn: [{ name: "broken-path" }] }),
    ]);
    const broken = await flux.waitFor("Kustomization", NS, "broken-path", (o) => ready(o)?.status === "False");
    expect(ready(broken)).toMatchObject({ reason: "ArtifactFailed", message: expect.stringMatching(/^kustomization path not found: stat .*does-not-exist: no such file or directory$/), observedGeneration: 1 });
    expect(getCondition(broken, "Reconciling")).toMatchObject({ status: "True", reason: "ProgressingWithRetry" });
    expect(st(broken).observedGeneration).toBe(-1);
    expect(st(broken).lastAttemptedRevision).toBeUndefined();
    expect(st(broken).lastAppliedRevision).toBeUndefined();
    expectLikeFixture(broken, "ks-never-succeeded-missing-path");
    const waiting = await flux.waitFor("Kustomization", NS, "after-broken", (o) => ready(o)?.reason === "DependencyNotReady");
    expect(ready(waiting)).toMatchObject({ reason: "DependencyNotReady", message: `dependency '${NS}/broken-path' is not ready` });
    expectLikeFixture(waiting, "ks-dependency-wait-new");
  });

  it("a failing new generation keeps the old observedGeneration, with Ready=False stamped with the new one", async () => {
    await applyObjects(rest, [sampleKustomization("regen", { path: "./infrastructure" })]);
    const ok = await flux.waitForReady("Kustomization", NS, "regen");
    await rest.mergePatch({ ...KS, name: "regen" }, { spec: { path: "./does-not-exist" } });
    const failing = await flux.waitFor("Kustomization", NS, "regen", (o) => ready(o)?.status === "False" && ready(o)?.observedGeneration === o.metadata.generation);
    expect(st(failing).observedGeneration).toBe(ok.metadata.generation);
    expect(failing.metadata.generation).toBe((ok.metadata.generation ?? 0) + 1);
    expect(st(failing).lastAttemptedRevision).toBe(st(ok).lastAppliedRevision);
    expectLikeFixture(failing, "ks-failing-new-generation");
  });

  it("every Kustomization reconcile passes through Ready=Unknown with Reconciling=True", async () => {
    flux.delay(1500, { kind: "Kustomization", namespace: NS, name: "regen" });
    const token = new Date().toISOString();
    await rest.mergePatch({ ...KS, name: "regen" }, { spec: { path: "./infrastructure" }, metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": token } } });
    const midway = await flux.waitFor("Kustomization", NS, "regen", (o) => ready(o)?.status === "Unknown" && getCondition(o, "Reconciling")?.status === "True" && st(o).lastAppliedRevision !== undefined, 5000);
    flux.delay(0);
    const { actual } = shapesToCompare(midway, "ks-mid-reconcile");
    expect(actual.conditions).toEqual(shapesToCompare(fluxFixture("ks-mid-reconcile").object, "ks-mid-reconcile").expected.conditions);
    expect(deriveObjectState(midway as Parameters<typeof deriveObjectState>[0], Date.now())).toMatchObject({ state: "Pending", isInProgress: true });
    const done = await flux.waitFor("Kustomization", NS, "regen", (o) => st(o).lastHandledReconcileAt === token && ready(o)?.status === "True");
    expect(getCondition(done, "Reconciling")).toBeUndefined();
    expect(st(done).observedGeneration).toBe(done.metadata.generation);
  });

  it("a dependent waits until its dependency applied the same revision, and looks again only on its fixed interval", async () => {
    flux.stall("Kustomization", NS, "infrastructure");
    const sha = await git.commit("fleet-config", { "infrastructure/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: podinfo\ndata:\n  a: b\n" }, "infra: extra");
    const waiting = await flux.waitFor("Kustomization", NS, "apps", (o) => ready(o)?.reason === "DependencyNotReady");
    expect(ready(waiting)?.message).toBe(`dependency '${NS}/infrastructure' is not ready`);
    expectLikeFixture(waiting, "ks-dependency-wait");
    flux.recover("Kustomization", NS, "infrastructure");
    // Ready at the new revision. (Sampled together: every later resync passes through Ready=Unknown
    // with the same lastAppliedRevision, as kustomize-controller's do; reading the revision alone
    // and then Ready raced a resync under load.)
    await flux.waitFor("Kustomization", NS, "infrastructure", (o) => st(o).lastAppliedRevision === `main@sha1:${sha}` && isReadyAt(o));
    // Applied within the requeue interval once its dependency is ready. (Whether it was woken by the
    // dependency cannot be sampled here without racing its own requeue timer, which may fire at any
    // moment after the dependency is ready: a read right after was seen flaky under load.)
    const apps = await flux.waitFor("Kustomization", NS, "apps", (o) => st(o).lastAppliedRevision === `main@sha1:${sha}`, DEPENDENCY_REQUEUE_MS + 10_000);
    expect(ready(apps)?.reason).not.toBe("DependencyNotReady");
  });

  it("reports invalid YAML as BuildFailed and substitutes postBuild variables", async () => {
    await git.createRepo("odd", {
      files: {
        "bad/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n data: [\n",
        "vars/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vars\n  namespace: default\ndata:\n  cluster: "${cluster_name}"\n  region: "${region:=eu-west-1}"\n',
      },
    });
    await applyObjects(rest, [
      sampleGitRepository(git.url("odd"), "odd"),
      sampleKustomization("bad-yaml", { path: "./bad" }, "odd"),
      sampleKustomization("vars", { path: "./vars", postBuild: { substitute: { cluster_name: "prod-1" } } }, "odd"),
    ]);
    // First ArtifactFailed (the new source has no artifact yet), then BuildFailed.
    const bad = await flux.waitFor("Kustomization", NS, "bad-yaml", (o) => ready(o)?.reason === "BuildFailed");
    expect(ready(bad)).toMatchObject({ reason: "BuildFailed", message: expect.stringContaining("kustomize build failed: bad/cm.yaml") });
    await flux.waitForReady("Kustomization", NS, "vars");
    expect((await rest.get("v1", "ConfigMap", "default", "vars"))?.data).toEqual({ cluster: "prod-1", region: "eu-west-1" });
  });

  it("fails a basic-auth repo without the Secret and succeeds with it", async () => {
    const repo = await git.createRepo("private", { files: { "cm.yaml": "a: 1\n" }, auth: { username: "fleet", password: "s3cret" } });
    await applyObjects(rest, [sampleGitRepository(repo.url, "private")]);
    const denied = await flux.waitFor("GitRepository", NS, "private", (o) => ready(o)?.status === "False");
    expect(ready(denied)).toMatchObject({ reason: "GitOperationFailed", message: expect.stringContaining(`unable to clone '${repo.url}'`) });
    expect(ready(denied)?.message).toMatch(/could not read Username|Authentication failed/);
    expect(getCondition(denied, "FetchFailed")?.status).toBe("True");

    await rest.mergePatch({ ...GIT, name: "private" }, { spec: { secretRef: { name: "private-auth" } } });
    const missing = await flux.waitFor("GitRepository", NS, "private", (o) => ready(o)?.reason === "AuthenticationFailed");
    expect(ready(missing)?.message).toBe(`failed to get secret '${NS}/private-auth': secrets "private-auth" not found`);

    await rest.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "private-auth", namespace: NS }, stringData: { username: "fleet", password: "s3cret" } }, "kubectl");
    const ok = await flux.waitForReady("GitRepository", NS, "private");
    expect(st(ok).artifact?.revision).toBe(`main@sha1:${await git.head("private")}`);
    expect(getCondition(ok, "FetchFailed")).toBeUndefined();
  });

  it("resolves tags, semver and commits, and reports a missing branch", async () => {
    await applyObjects(rest, [
      sampleGitRepository(sample.repo.url, "by-tag", { ref: { tag: "v1.0.0" } }),
      sampleGitRepository(sample.repo.url, "by-semver", { ref: { semver: ">=1.0.0 <2.0.0" } }),
      sampleGitRepository(sample.repo.url, "by-commit", { ref: { commit: sample.commits.infrastructure } }),
      sampleGitRepository(sample.repo.url, "no-branch", { ref: { branch: "nope" } }),
    ]);
    const revision = async (name: string): Promise<string | undefined> => st(await flux.waitForReady("GitRepository", NS, name)).artifact?.revision;
    expect(await revision("by-tag")).toBe(`v1.0.0@sha1:${sample.commits.podinfo}`);
    expect(await revision("by-semver")).toBe(`v1.0.0@sha1:${sample.commits.podinfo}`);
    expect(await revision("by-commit")).toBe(`sha1:${sample.commits.infrastructure}`);
    const missing = await flux.waitFor("GitRepository", NS, "no-branch", (o) => ready(o)?.status === "False");
    expect(ready(missing)).toMatchObject({ reason: "GitOperationFailed", message: expect.stringContaining('couldn\'t find remote ref "refs/heads/nope"') });
  });

  it("handles reconcile.fluxcd.io/requestedAt by setting lastHandledReconcileAt", async () => {
    const token = new Date().toISOString();
    await rest.mergePatch({ ...GIT, name: "fleet-config" }, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": token } } });
    const handled = await flux.waitFor("GitRepository", NS, "fleet-config", (o) => st(o).lastHandledReconcileAt === token, 10_000);
    expect(ready(handled)?.status).toBe("True");
  });

  it("does not reconcile while suspended, yet records reconcile requests and the generation; catches up on resume", async () => {
    const before = await flux.waitForReady("Kustomization", NS, "apps");
    await rest.mergePatch({ ...KS, name: "apps" }, { spec: { suspend: true } });
    const sha = await git.commit("fleet-config", podinfoFiles("hello from v4"), "podinfo: v4");
    const token = new Date().toISOString();
    await rest.mergePatch({ ...KS, name: "apps" }, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": token } } });
    const suspended = await flux.waitFor("Kustomization", NS, "apps", (o) => st(o).lastHandledReconcileAt === token);
    await sleep(2500); // several resync periods: nothing is applied
    const still = (await rest.get(KS.apiVersion, KS.kind, NS, "apps")) as KubeObject;
    expect(st(still).lastAppliedRevision).toBe(st(before).lastAppliedRevision);
    // kustomize-controller's finalizeStatus still runs: Ready=True, so the generation is recorded.
    expect(st(suspended).observedGeneration).toBe(suspended.metadata.generation);
    expect(await configMessage()).toBe("hello from v3");
    expectLikeFixture(still, "ks-suspended-handled-request");

    await rest.mergePatch({ ...KS, name: "apps" }, { spec: { suspend: false } });
    const resumed = await flux.waitFor("Kustomization", NS, "apps", (o) => st(o).lastAppliedRevision === `main@sha1:${sha}`);
    expect(st(resumed).lastHandledReconcileAt).toBe(token);
    expect(await configMessage()).toBe("hello from v4");
  });

  it("obeys fail, stall, delay and recover", async () => {
    flux.fail("Kustomization", NS, "infrastructure", "injected failure");
    const failed = await flux.waitFor("Kustomization", NS, "infrastructure", (o) => ready(o)?.status === "False");
    expect(ready(failed)).toMatchObject({ reason: "ReconciliationFailed", message: "injected failure" });
    flux.recover("Kustomization", NS, "infrastructure");
    await flux.waitForReady("Kustomization", NS, "infrastructure");

    flux.fail("Kustomization", NS, "vars", "invalid spec", { reason: "InvalidPath", stalled: true });
    const stalledKs = await flux.waitFor("Kustomization", NS, "vars", (o) => getCondition(o, "Stalled")?.status === "True");
    expect(ready(stalledKs)).toMatchObject({ status: "False", reason: "InvalidPath", message: "invalid spec" });
    flux.recover("Kustomization", NS, "vars");
    const unstalled = await flux.waitForReady("Kustomization", NS, "vars");
    expect(getCondition(unstalled, "Stalled")).toBeUndefined();

    flux.stall("GitRepository", NS, "by-tag");
    const stalled = await flux.waitFor("GitRepository", NS, "by-tag", (o) => getCondition(o, "Reconciling")?.status === "True");
    expect(ready(stalled)).toMatchObject({ status: "Unknown", reason: "Progressing" });
    const token = new Date().toISOString();
    await rest.mergePatch({ ...GIT, name: "by-tag" }, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": token } } });
    await sleep(2000);
    expect(st((await rest.get(GIT.apiVersion, GIT.kind, NS, "by-tag")) as KubeObject).lastHandledReconcileAt).not.toBe(token);
    flux.recover("GitRepository", NS, "by-tag");
    const recovered = await flux.waitFor("GitRepository", NS, "by-tag", (o) => st(o).lastHandledReconcileAt === token);
    expect(getCondition(recovered, "Reconciling")).toBeUndefined();

    flux.delay(2000, { kind: "GitRepository", namespace: NS, name: "by-semver" });
    const slowToken = new Date().toISOString();
    await rest.mergePatch({ ...GIT, name: "by-semver" }, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": slowToken } } });
    await flux.waitFor("GitRepository", NS, "by-semver", (o) => getCondition(o, "Reconciling")?.status === "True", 15_000);
    // The reconcile under way keeps its delay. Later ones (resyncMs requeues every 1 s) run at once, so
    // Ready=True is not a one-second window between slow reconciles that a loaded machine's polls can miss.
    flux.delay(0);
    await flux.waitFor("GitRepository", NS, "by-semver", (o) => st(o).lastHandledReconcileAt === slowToken && ready(o)?.status === "True", 15_000);
  });

  it("makes OCIRepository, Bucket, HelmRepository and HelmRelease Ready with plausible status", async () => {
    const source = "source.toolkit.fluxcd.io/v1";
    await applyObjects(rest, [
      { apiVersion: source, kind: "OCIRepository", metadata: { name: "manifests", namespace: NS }, spec: { url: "oci://ghcr.io/example/manifests", interval: "5m", ref: { tag: "1.2.0" } } },
      { apiVersion: source, kind: "Bucket", metadata: { name: "assets", namespace: NS }, spec: { bucketName: "assets", endpoint: "minio.example.com", interval: "5m" } },
      { apiVersion: source, kind: "HelmRepository", metadata: { name: "podinfo", namespace: NS }, spec: { url: "https://stefanprodan.github.io/podinfo", interval: "5m" } },
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "podinfo", namespace: NS },
        spec: { interval: "5m", targetNamespace: "podinfo", chart: { spec: { chart: "podinfo", version: "6.5.4", sourceRef: { kind: "HelmRepository", name: "podinfo" } } }, values: { replicaCount: 1 } },
      },
    ]);
    const oci = await flux.waitForReady("OCIRepository", NS, "manifests");
    expect(st(oci).artifact?.revision).toMatch(/^1\.2\.0@sha256:[0-9a-f]{64}$/);
    await flux.waitForReady("Bucket", NS, "assets");
    expect(st(await flux.waitForReady("HelmRepository", NS, "podinfo")).artifact?.revision).toMatch(/^sha256:/);

    const installed = await flux.waitForReady("HelmRelease", NS, "podinfo");
    expect(ready(installed)).toMatchObject({ reason: "InstallSucceeded", message: "Helm install succeeded for release podinfo/podinfo-podinfo.v1 with chart podinfo@6.5.4" });
    expect((installed.status as { history: { version: number }[] }).history.map((h) => h.version)).toEqual([1]);

    await rest.mergePatch({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", namespace: NS, name: "podinfo" }, { spec: { values: { replicaCount: 3 } } });
    const upgraded = await flux.waitFor("HelmRelease", NS, "podinfo", (o) => ready(o)?.reason === "UpgradeSucceeded");
    expect((upgraded.status as { history: { version: number; status: string }[] }).history).toMatchObject([
      { version: 2, status: "deployed" },
      { version: 1, status: "superseded" },
    ]);
  });

  it("leaves an OCI HelmRepository without status (a static object)", async () => {
    await applyObjects(rest, [{ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "HelmRepository", metadata: { name: "oci-charts", namespace: NS }, spec: { url: "oci://ghcr.io/example/charts", type: "oci", interval: "5m" } }]);
    // A token is handled by everything else the stand-in reconciles; give this one the same chance.
    await sleep(2500);
    const repo = (await rest.get("source.toolkit.fluxcd.io/v1", "HelmRepository", NS, "oci-charts")) as KubeObject;
    expect(getCondition(repo, "Ready")).toBeUndefined();
    expect(deriveObjectState(repo as Parameters<typeof deriveObjectState>[0], Date.now())).toMatchObject(fluxFixture("oci-helmrepository").expected);
  });

  it("a failed Helm upgrade: lastAttemptedRevision is the new chart, the deployed snapshot the old one, Stalled RetriesExceeded", async () => {
    const HR = { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", namespace: NS, name: "podinfo" };
    flux.fail("HelmRelease", NS, "podinfo", "context deadline exceeded");
    await rest.mergePatch(HR, { spec: { chart: { spec: { version: "6.5.5" } } } });
    const failed = await flux.waitFor("HelmRelease", NS, "podinfo", (o) => getCondition(o, "Stalled")?.status === "True");
    expect(ready(failed)).toMatchObject({ status: "False", reason: "UpgradeFailed", message: "Helm upgrade failed for release podinfo/podinfo-podinfo with chart podinfo@6.5.5: context deadline exceeded" });
    expect(getCondition(failed, "Released")).toMatchObject({ status: "False", reason: "UpgradeFailed" });
    expect(getCondition(failed, "Stalled")).toMatchObject({ reason: "RetriesExceeded", message: "Failed to upgrade after 1 attempt(s)" });
    const status = failed.status as { lastAttemptedRevision: string; history: { version: number; status: string; chartVersion: string }[] };
    expect(status.lastAttemptedRevision).toBe("6.5.5");
    expect(status.history.slice(0, 2)).toMatchObject([
      { version: 3, status: "failed", chartVersion: "6.5.5" },
      { version: 2, status: "deployed", chartVersion: "6.5.4" },
    ]);
    const { actual, expected } = shapesToCompare({ ...failed, status: { ...status, history: status.history.slice(0, 2) } }, "hr-failed-upgrade");
    expect(actual).toEqual(expected);
    expect(deriveObjectState(failed as Parameters<typeof deriveObjectState>[0], Date.now())).toMatchObject(fluxFixture("hr-failed-upgrade").expected);
  });

  it("writes ':' in RBAC names as '__' in inventory ids", async () => {
    await git.createRepo("rbac", {
      files: { "rbac/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:fleet-reader\nrules: []\n" },
    });
    await applyObjects(rest, [sampleGitRepository(git.url("rbac"), "rbac"), sampleKustomization("rbac", { path: "./rbac" }, "rbac")]);
    const applied = await flux.waitForReady("Kustomization", NS, "rbac");
    expect(st(applied).inventory?.entries).toEqual([{ id: "_system__fleet-reader_rbac.authorization.k8s.io_ClusterRole", v: "v1" }]);
    expect(await rest.get("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "system:fleet-reader")).toBeDefined();
  });
});
