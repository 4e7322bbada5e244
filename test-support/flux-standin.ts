// An in-process stand-in for source-controller, kustomize-controller and
// helm-controller: it watches the Flux kinds on a test cluster and writes the
// status a real Flux would (through /status), so the portal can be tested
// end to end without running Flux. Tests steer it with stall/fail/delay.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestCluster } from "./cluster";
import { conditionsOf, getCondition, isReady, setCondition, type Condition } from "./conditions";
import { FLUX_API_VERSIONS, parseDuration, REQUESTED_AT, type FluxContext, type FluxKind, type Outcome } from "./flux-common";
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
};

export type FluxStandIn = {
  /** Stop updating the object: it is left Reconciling with Ready=Unknown until recover(). */
  stall(kind: FluxKind, namespace: string, name: string): void;
  /**
   * Report Ready=False with `message` on every reconcile until recover(); `stalled` also sets
   * Stalled=True (Flux's "cannot recover without a spec change") and stops requeueing.
   */
  fail(kind: FluxKind, namespace: string, name: string, message: string, opts?: { reason?: string; stalled?: boolean }): void;
  /** Undo stall()/fail() and reconcile at once. */
  recover(kind: FluxKind, namespace: string, name: string): void;
  /** Make every reconcile take `ms` longer (Reconciling=True meanwhile); 0 turns it off. */
  delay(ms: number): void;
  waitFor(kind: FluxKind, namespace: string, name: string, predicate: (obj: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  /** Waits for Ready=True at the current generation. */
  waitForReady(kind: FluxKind, namespace: string, name: string, timeoutMs?: number): Promise<KubeObject>;
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

const PROGRESSING = { reason: "Progressing", message: "Reconciliation in progress" };

const requestedAt = (obj: KubeObject | undefined): string | undefined => obj?.metadata.annotations?.[REQUESTED_AT];

/** Ready first, then the others in a stable order, as Flux lists them. */
const ordered = (conditions: Condition[]): Condition[] =>
  [...conditions].sort((a, b) => Number(b.type === "Ready") - Number(a.type === "Ready"));

export async function startFluxStandIn(cluster: TestCluster, opts: FluxStandInOptions = {}): Promise<FluxStandIn> {
  const rest: KubeRest = cluster.rest("admin");
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-flux-"));
  registerTempDir(workDir);
  const resyncMs = opts.resyncMs ?? 2000;
  // Objects stall() froze mid-reconcile (not to be confused with Flux's Stalled condition).
  const stuck = new Set<string>();
  const failures = new Map<string, { message: string; reason: string; stalled: boolean }>();
  let delayMs = 0;

  const ctx: FluxContext = { rest, mirror: new GitMirror(workDir) };

  const interval = (obj: KubeObject): number =>
    resyncMs > 0 ? resyncMs : (parseDuration((obj.spec as { interval?: string }).interval) ?? 600_000);

  const patchStatus = (obj: KubeObject, status: Record<string, unknown>): Promise<KubeObject> =>
    rest.mergePatch(
      { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name },
      { status },
      "status",
    );

  /** Reconciling=True, Ready=Unknown; observedGeneration stays at the last finished reconcile. */
  const markProgressing = async (obj: KubeObject): Promise<KubeObject> => {
    if (getCondition(obj, "Reconciling")?.status === "True" && getCondition(obj, "Ready")?.status === "Unknown") return obj;
    const generation = obj.metadata.generation;
    let conditions = setCondition(conditionsOf(obj), { type: "Reconciling", status: "True", ...PROGRESSING }, generation);
    conditions = setCondition(conditions, { type: "Ready", status: "Unknown", ...PROGRESSING }, generation);
    return patchStatus(obj, { conditions: ordered(conditions) });
  };

  const writeOutcome = async (obj: KubeObject, outcome: Outcome): Promise<void> => {
    const generation = obj.metadata.generation;
    const drop = new Set(["Reconciling", "Stalled", ...(outcome.removeConditions ?? [])]);
    let conditions = conditionsOf(obj).filter((c) => !drop.has(c.type));
    for (const extra of outcome.conditions ?? []) conditions = setCondition(conditions, extra, generation);
    if (outcome.stalled) conditions = setCondition(conditions, { type: "Stalled", status: "True", reason: outcome.reason, message: outcome.message }, generation);
    conditions = setCondition(conditions, { type: "Ready", status: outcome.ready, reason: outcome.reason, message: outcome.message }, generation);
    const token = requestedAt(obj);
    await patchStatus(obj, {
      ...outcome.status,
      conditions: ordered(conditions),
      observedGeneration: generation,
      ...(token ? { lastHandledReconcileAt: token } : {}),
    });
  };

  const reconcilers: Record<FluxKind, (obj: KubeObject) => Promise<Outcome> | Outcome> = {
    GitRepository: (obj) => reconcileGitRepository(ctx, obj),
    Kustomization: (obj) => reconcileKustomization(ctx, obj),
    OCIRepository: reconcileOCIRepository,
    Bucket: reconcileBucket,
    HelmRepository: reconcileHelmRepository,
    HelmRelease: reconcileHelmRelease,
  };

  const reconcile = async (kind: FluxKind, fresh: KubeObject): Promise<number | undefined> => {
    let obj = fresh;
    // Suspended objects are left exactly as they are, requestedAt included.
    if ((obj.spec as { suspend?: boolean }).suspend) return undefined;
    const key = keyOf(kind, obj.metadata.namespace, obj.metadata.name);
    if (stuck.has(key)) {
      await markProgressing(obj);
      return undefined;
    }
    const failure = failures.get(key);
    let outcome: Outcome;
    if (failure) outcome = { ready: "False", ...failure };
    else {
      if (delayMs > 0) {
        obj = await markProgressing(obj);
        await sleep(delayMs);
      }
      outcome = await reconcilers[kind](obj);
    }
    await writeOutcome(obj, outcome);
    return outcome.stalled ? undefined : interval(obj);
  };

  /** Enqueues the Kustomizations/HelmReleases that use a source, or depend on a Kustomization. */
  const enqueueDependents = (changed: KubeObject): void => {
    const ns = changed.metadata.namespace;
    const matches = (ref: { kind?: string; name: string; namespace?: string } | undefined, owner: KubeObject): boolean =>
      !!ref && (ref.kind ?? "Kustomization") === changed.kind && ref.name === changed.metadata.name && (ref.namespace ?? owner.metadata.namespace) === ns;
    for (const ks of runtime.list("Kustomization")) {
      const spec = ks.spec as { sourceRef?: { kind: string; name: string; namespace?: string }; dependsOn?: { name: string; namespace?: string }[] };
      if (matches(spec.sourceRef, ks) || spec.dependsOn?.some((d) => matches(d, ks))) runtime.enqueue("Kustomization", ks.metadata.namespace, ks.metadata.name);
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
      if (type === "MODIFIED" && (revision(obj) !== revision(old) || isReady(obj) !== isReady(old))) enqueueDependents(obj);
      if (type === "DELETED" && kind === "Kustomization" && (obj.spec as { prune?: boolean }).prune) {
        const entries = (obj.status as { inventory?: { entries: { id: string; v: string }[] } } | undefined)?.inventory?.entries ?? [];
        void pruneEntries(rest, entries, obj).catch(() => undefined);
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
    delay(ms) {
      delayMs = ms;
    },
    waitFor: (kind, namespace, name, predicate, timeoutMs) => runtime.waitFor(kind, namespace, name, predicate, timeoutMs),
    waitForReady: (kind, namespace, name, timeoutMs) => runtime.waitFor(kind, namespace, name, isReady, timeoutMs),
    stop() {
      stopped ??= runtime.stop().then(() => removeTempDir(workDir));
      return stopped;
    },
  };
}
