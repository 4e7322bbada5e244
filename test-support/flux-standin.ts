// An in-process stand-in for source-controller, kustomize-controller and
// helm-controller: it watches the Flux kinds on a test cluster and writes the
// status a real Flux would (through /status), so the portal can be tested
// end to end without running Flux. Tests steer it with stall/fail/delay.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestCluster } from "./cluster";
import { conditionsOf, getCondition, isReady, setCondition, type Condition } from "./conditions";
import { FLUX_API_VERSIONS, parseDuration, REQUESTED_AT, type FluxContext, type FluxKind, type Outcome, type Progress } from "./flux-common";
import { pruneEntries, reconcileKustomization } from "./flux-reconcile-kustomization";
import { reconcileGitRepository } from "./flux-reconcile-git";
import { reconcileBucket, reconcileHelmRelease, reconcileHelmRepository, reconcileOCIRepository } from "./flux-reconcile-simple";
import { GitMirror } from "./git-mirror";
import type { KubeObject, KubeRest } from "./kube-rest";
import { registerTempDir, removeTempDir, sleep } from "./process-guard";
import { keyOf, StandInRuntime, type EventType, type KindHandler } from "./standin-runtime";

export type { FluxKind } from "./flux-common";

export type FluxStandInOptions = {
  /** Re-reconcile every object this often (ms) instead of spec.interval; 0 honours spec.interval. Default 2000. */
  resyncMs?: number;
  /**
   * How long a Kustomization waiting for a dependency or a source artifact waits before it looks
   * again (kustomize-controller's --requeue-dependency, 30 s by default). Dependents are not woken
   * by their dependency: after a commit they read DependencyNotReady for up to this long.
   */
  dependencyRequeueMs?: number;
};

export type FluxStandIn = {
  /** Stop updating the object: it is left Reconciling with Ready=Unknown until recover(). */
  stall(kind: FluxKind, namespace: string, name: string): void;
  /**
   * Report Ready=False with `message` on every reconcile until recover(); `stalled` also sets
   * Stalled=True (Flux's "cannot recover without a spec change") and stops requeueing. For a
   * HelmRelease the Helm action fails: a failed release snapshot, Released=False and, with the
   * default remediation (no retries), Stalled=True RetriesExceeded.
   */
  fail(kind: FluxKind, namespace: string, name: string, message: string, opts?: { reason?: string; stalled?: boolean }): void;
  /** Undo stall()/fail() and reconcile at once. */
  recover(kind: FluxKind, namespace: string, name: string): void;
  /**
   * Make reconciles take `ms` longer (Reconciling=True meanwhile); 0 turns it off. With a target only
   * that object is slowed, so the other objects' reconciles cannot fill the worker slots meanwhile.
   */
  delay(ms: number, target?: { kind: FluxKind; namespace: string; name: string }): void;
  waitFor(kind: FluxKind, namespace: string, name: string, predicate: (obj: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  /** Waits for Ready=True at the current generation. */
  waitForReady(kind: FluxKind, namespace: string, name: string, timeoutMs?: number): Promise<KubeObject>;
  /**
   * When it next reconciles an object unasked (spec.interval, a dependency's requeue), in ms since
   * the epoch: now while it is reconciling; undefined when nothing is scheduled. Each such
   * reconcile writes status, as the controllers do.
   */
  nextReconcileAt(): number | undefined;
  stop(): Promise<void>;
};

const DEFAULT_FAILURE_REASON: Record<FluxKind, string> = {
  GitRepository: "GitOperationFailed",
  OCIRepository: "OCIArtifactPullFailed",
  Bucket: "BucketOperationFailed",
  HelmRepository: "IndexationFailed",
  Kustomization: "ReconciliationFailed",
  HelmRelease: "InstallFailed",
};

const requestedAt = (obj: KubeObject | undefined): string | undefined => obj?.metadata.annotations?.[REQUESTED_AT];

// fluxcd/pkg sorts conditions Stalled, Reconciling, Ready, then the others by type.
const WEIGHT: Record<string, number> = { Stalled: 0, Reconciling: 1, Ready: 2 };
const ordered = (conditions: Condition[]): Condition[] =>
  [...conditions].sort((a, b) => (WEIGHT[a.type] ?? 3) - (WEIGHT[b.type] ?? 3) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));

const SOURCE_KINDS = new Set<FluxKind>(["GitRepository", "OCIRepository", "Bucket", "HelmRepository"]);

export async function startFluxStandIn(cluster: TestCluster, opts: FluxStandInOptions = {}): Promise<FluxStandIn> {
  const rest: KubeRest = cluster.rest("admin");
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-flux-"));
  registerTempDir(workDir);
  const resyncMs = opts.resyncMs ?? 2000;
  const dependencyRequeueMs = opts.dependencyRequeueMs ?? 30_000;
  // Objects stall() froze mid-reconcile (not to be confused with Flux's Stalled condition).
  const stuck = new Set<string>();
  const failures = new Map<string, { message: string; reason: string; stalled: boolean }>();
  // The object as the last progress patch left it, so the outcome is written over those conditions.
  const progressed = new Map<string, KubeObject>();
  let delayMs = 0;
  let delayKey: string | undefined;

  const interval = (obj: KubeObject): number =>
    resyncMs > 0 ? resyncMs : (parseDuration((obj.spec as { interval?: string }).interval) ?? 600_000);

  const patchStatus = (obj: KubeObject, status: Record<string, unknown> | null): Promise<KubeObject> =>
    rest.mergePatch(
      { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name },
      { status },
      "status",
    );

  const keyOfObj = (obj: KubeObject): string => keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name);

  /**
   * Reconciling=True, and Ready=Unknown unless keepReady, stamped with the current generation
   * (fluxcd/pkg's condition setter always does); status.observedGeneration stays where the last
   * success left it. MarkReconciling also drops Stalled.
   */
  const progress: Progress = async (obj, message, options = {}) => {
    const generation = obj.metadata.generation;
    let conditions = conditionsOf(obj).filter((c) => c.type !== "Stalled");
    conditions = setCondition(conditions, { type: "Reconciling", status: "True", reason: "Progressing", message }, generation);
    if (!options.keepReady) conditions = setCondition(conditions, { type: "Ready", status: "Unknown", reason: "Progressing", message: "Reconciliation in progress" }, generation);
    const patched = await patchStatus(obj, { conditions: ordered(conditions) });
    const merged = { ...obj, status: patched.status };
    progressed.set(keyOfObj(obj), merged);
    return merged;
  };

  const impersonated = new Map<string, KubeRest>();
  const restAs = (namespace: string, serviceAccountName: string): KubeRest => {
    const user = `system:serviceaccount:${namespace}:${serviceAccountName}`;
    let client = impersonated.get(user);
    if (!client) {
      client = rest.impersonating(user);
      impersonated.set(user, client);
    }
    return client;
  };

  const ctx: FluxContext = { rest, restAs, mirror: new GitMirror(workDir), dependencyRequeueMs, progress };

  /**
   * What the controllers' final status patch does (kustomize-controller finalizeStatus,
   * source-controller's summarize, helm-controller's deferred patch): record the handled reconcile
   * request; on Ready=True drop Reconciling and move status.observedGeneration to the generation;
   * on a terminal error set Stalled (dropping Reconciling) and move it too; on any other failure
   * keep observedGeneration and turn a Reconciling left by this run into ProgressingWithRetry.
   */
  const writeOutcome = async (fresh: KubeObject, outcome: Outcome): Promise<void> => {
    const obj = progressed.get(keyOfObj(fresh)) ?? fresh;
    progressed.delete(keyOfObj(fresh));
    const generation = obj.metadata.generation;
    const drop = new Set([...(outcome.ready === "True" || outcome.stalled ? ["Reconciling"] : []), "Stalled", ...(outcome.removeConditions ?? [])]);
    let conditions = conditionsOf(obj).filter((c) => !drop.has(c.type));
    for (const extra of outcome.conditions ?? []) conditions = setCondition(conditions, extra, generation);
    if (outcome.stalled) {
      conditions = setCondition(conditions, { type: "Stalled", status: "True", reason: outcome.stalledReason ?? outcome.reason, message: outcome.stalledMessage ?? outcome.message }, generation);
    }
    conditions = setCondition(conditions, { type: "Ready", status: outcome.ready, reason: outcome.reason, message: outcome.message }, generation);
    // source-controller keeps its in-memory Reconciling on every failure; the others only when the run got that far.
    if (outcome.ready === "False" && !outcome.stalled && !outcome.wait && SOURCE_KINDS.has(obj.kind as FluxKind) && !conditions.some((c) => c.type === "Reconciling")) {
      conditions = setCondition(conditions, { type: "Reconciling", status: "True", reason: "Progressing", message: "reconciliation in progress" }, generation);
    }
    const reconciling = conditions.find((c) => c.type === "Reconciling");
    if (outcome.ready === "False" && reconciling) conditions = setCondition(conditions, { type: "Reconciling", status: "True", reason: "ProgressingWithRetry", message: reconciling.message }, generation);
    const token = requestedAt(obj);
    const isDone = outcome.ready === "True" || outcome.stalled === true;
    await patchStatus(obj, {
      ...outcome.status,
      conditions: ordered(conditions),
      ...(isDone ? { observedGeneration: generation } : {}),
      ...(token ? { lastHandledReconcileAt: token } : {}),
    });
  };

  const reconcilers: Record<FluxKind, (obj: KubeObject, failure?: { message: string }) => Promise<Outcome> | Outcome> = {
    GitRepository: (obj) => reconcileGitRepository(ctx, obj),
    Kustomization: (obj) => reconcileKustomization(ctx, obj),
    OCIRepository: reconcileOCIRepository,
    Bucket: reconcileBucket,
    HelmRepository: reconcileHelmRepository,
    HelmRelease: (obj, failure) => reconcileHelmRelease(ctx, obj, failure),
  };

  /**
   * A suspended object is not reconciled, but the deferred status patch still runs: the reconcile
   * request is recorded, and observedGeneration moves (source- and helm-controller always;
   * kustomize-controller only while Ready=True).
   */
  const recordSuspended = async (kind: FluxKind, obj: KubeObject): Promise<void> => {
    const status = (obj.status ?? {}) as { observedGeneration?: number; lastHandledReconcileAt?: string };
    const token = requestedAt(obj);
    const advance = kind !== "Kustomization" || getCondition(obj, "Ready")?.status === "True";
    const patch: Record<string, unknown> = {};
    if (token && token !== status.lastHandledReconcileAt) patch.lastHandledReconcileAt = token;
    if (advance && status.observedGeneration !== obj.metadata.generation) patch.observedGeneration = obj.metadata.generation;
    if (Object.keys(patch).length > 0) await patchStatus(obj, patch);
  };

  const reconcile = async (kind: FluxKind, fresh: KubeObject): Promise<number | undefined> => {
    let obj = fresh;
    if ((obj.spec as { suspend?: boolean }).suspend) {
      await recordSuspended(kind, obj);
      return undefined;
    }
    // source-controller turns an OCI HelmRepository into a static object: no finalizer, status reset, never written again.
    if (kind === "HelmRepository" && (obj.spec as { type?: string }).type === "oci") {
      if (obj.status && Object.keys(obj.status).length > 0) await patchStatus(obj, null);
      return undefined;
    }
    const key = keyOf(kind, obj.metadata.namespace, obj.metadata.name);
    if (stuck.has(key)) {
      await progress(obj, "Reconciliation in progress");
      progressed.delete(key);
      return undefined;
    }
    // source-controller persists Reconciling/Ready=Unknown before the work only for a new generation or a reconcile request.
    const status = (obj.status ?? {}) as { observedGeneration?: number; lastHandledReconcileAt?: string };
    if (SOURCE_KINDS.has(kind)) {
      if (obj.metadata.generation !== status.observedGeneration) obj = await progress(obj, `processing object: new generation ${status.observedGeneration ?? -1} -> ${obj.metadata.generation}`);
      else if (requestedAt(obj) !== undefined && requestedAt(obj) !== status.lastHandledReconcileAt) obj = await progress(obj, "reconciliation in progress");
    }
    if (delayMs > 0 && (delayKey === undefined || delayKey === key)) {
      // A test hook: a slow reconcile, shown the way the controllers show one in progress.
      obj = await progress(obj, "Reconciliation in progress");
      await sleep(delayMs);
    }
    const failure = failures.get(key);
    let outcome: Outcome;
    try {
      if (failure && kind === "HelmRelease") outcome = await reconcilers[kind](obj, failure);
      else if (failure) {
        // An injected failure happens where real ones do: during the reconcile, after Reconciling was set.
        if (kind === "Kustomization") obj = await progress(obj, "Reconciliation in progress");
        outcome = { ready: "False", ...failure };
      } else outcome = await reconcilers[kind](obj);
    } catch (err) {
      // The controllers' deferred status patch runs whatever happened: an error is Ready=False, retried.
      if (!progressed.has(key)) throw err;
      outcome = { ready: "False", reason: kind === "Kustomization" ? "ReconciliationFailed" : DEFAULT_FAILURE_REASON[kind], message: err instanceof Error ? err.message : String(err) };
      await writeOutcome(obj, outcome);
      throw err;
    }
    await writeOutcome(obj, outcome);
    if (outcome.stalled) return undefined;
    return outcome.wait ? dependencyRequeueMs : interval(obj);
  };

  /** Enqueues the Kustomizations/HelmReleases that use a source, or depend on a Kustomization. */
  const enqueueDependents = (changed: KubeObject): void => {
    const ns = changed.metadata.namespace;
    const matches = (ref: { kind?: string; name: string; namespace?: string } | undefined, owner: KubeObject): boolean =>
      !!ref && (ref.kind ?? "Kustomization") === changed.kind && ref.name === changed.metadata.name && (ref.namespace ?? owner.metadata.namespace) === ns;
    for (const ks of runtime.list("Kustomization")) {
      const spec = ks.spec as { sourceRef?: { kind: string; name: string; namespace?: string }; dependsOn?: { name: string; namespace?: string }[] };
      // Only a source's new revision wakes a Kustomization; dependents poll their dependencies on the dependency interval.
      if (matches(spec.sourceRef, ks)) runtime.enqueue("Kustomization", ks.metadata.namespace, ks.metadata.name);
    }
    for (const hr of runtime.list("HelmRelease")) {
      const ref = (hr.spec as { chart?: { spec: { sourceRef: { kind: string; name: string; namespace?: string } } } }).chart?.spec.sourceRef;
      if (matches(ref, hr)) runtime.enqueue("HelmRelease", hr.metadata.namespace, hr.metadata.name);
    }
  };

  const handler = (kind: FluxKind): KindHandler => ({
    apiVersion: FLUX_API_VERSIONS[kind],
    kind,
    reconcile: (obj) => reconcile(kind, obj),
    // Like Flux's predicates: a new generation or a new reconcile request; our own status writes are ignored.
    needsReconcile: (type: EventType, obj, old) =>
      type === "ADDED" || obj.metadata.generation !== old?.metadata.generation || requestedAt(obj) !== requestedAt(old),
    onEvent(type, obj, old) {
      const revision = (o: KubeObject | undefined): unknown => (o?.status as { artifact?: { revision?: string } } | undefined)?.artifact?.revision;
      // kustomize-controller's SourceRevisionChangePredicate: a new artifact revision (not readiness) enqueues the users of a source.
      if (type === "MODIFIED" && revision(obj) !== undefined && revision(obj) !== revision(old)) enqueueDependents(obj);
      if (type === "DELETED" && kind === "Kustomization" && (obj.spec as { prune?: boolean }).prune) {
        const entries = (obj.status as { inventory?: { entries: { id: string; v: string }[] } } | undefined)?.inventory?.entries ?? [];
        // Garbage collection runs with the same identity as the apply did.
        const account = (obj.spec as { serviceAccountName?: string }).serviceAccountName;
        const client = account ? restAs(obj.metadata.namespace ?? "default", account) : rest;
        void pruneEntries(client, entries, obj).catch(() => undefined);
      }
    },
  });

  const runtime = new StandInRuntime(rest, (Object.keys(FLUX_API_VERSIONS) as FluxKind[]).map(handler));
  await runtime.start();

  let stopped: Promise<void> | undefined;
  return {
    stall(kind, namespace, name) {
      stuck.add(keyOf(kind, namespace, name));
      runtime.enqueue(kind, namespace, name);
    },
    fail(kind, namespace, name, message, opts = {}) {
      failures.set(keyOf(kind, namespace, name), { message, reason: opts.reason ?? DEFAULT_FAILURE_REASON[kind], stalled: opts.stalled ?? false });
      runtime.enqueue(kind, namespace, name);
    },
    recover(kind, namespace, name) {
      const key = keyOf(kind, namespace, name);
      stuck.delete(key);
      failures.delete(key);
      runtime.enqueue(kind, namespace, name);
    },
    delay(ms, target) {
      delayMs = ms;
      delayKey = target && keyOf(target.kind, target.namespace, target.name);
    },
    waitFor: (kind, namespace, name, predicate, timeoutMs) => runtime.waitFor(kind, namespace, name, predicate, timeoutMs),
    waitForReady: (kind, namespace, name, timeoutMs) => runtime.waitFor(kind, namespace, name, isReady, timeoutMs),
    nextReconcileAt: () => runtime.nextWorkAt(),
    stop() {
      stopped ??= runtime.stop().then(() => {
        for (const client of impersonated.values()) client.close();
        removeTempDir(workDir);
      });
      return stopped;
    },
  };
}
