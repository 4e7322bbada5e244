// A small in-process stand-in for Argo CD's application-controller: watches
// Applications in argocd, compares the Git directory source with the cluster,
// syncs automatically (syncPolicy.automated) or on an `operation` request,
// and writes status as Argo CD does (with the object: there is no status
// subresource on Applications).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  compare,
  placeObjects,
  repoCredentials,
  resolveTarget,
  syncObjects,
  type Comparison,
  type HealthStatus,
  type ResourceStatus,
  type SyncStatus,
} from "./argo-sync";
import type { TestCluster } from "./cluster";
import { now } from "./conditions";
import { GitMirror } from "./git-mirror";
import type { KubeObject } from "./kube-rest";
import { buildManifests } from "./manifests";
import { registerTempDir, removeTempDir } from "./process-guard";
import { StandInRuntime } from "./standin-runtime";

export type { HealthStatus, SyncStatus } from "./argo-sync";

export const REFRESH_ANNOTATION = "argocd.argoproj.io/refresh";
const API_VERSION = "argoproj.io/v1alpha1";

export type ArgoOverride = { sync?: SyncStatus; health?: HealthStatus; message?: string };

export type ArgoStandInOptions = {
  /** Compare again this often (Argo CD's reconciliation timeout; default 2000 ms). */
  resyncMs?: number;
  /** Where Applications live (default argocd). */
  namespace?: string;
  /**
   * Argo CD ignores repository errors for this long after the first one (the app controller's
   * --repo-error-grace-period-seconds, 180 s by default), leaving the status as it was; then it
   * reports a ComparisonError with sync Unknown and no sync.revision.
   */
  repoErrorGraceMs?: number;
};

export type ArgoStandIn = {
  /** Report these sync/health statuses (e.g. OutOfSync, Degraded, Progressing) until clear(). */
  force(name: string, override: ArgoOverride): void;
  clear(name: string): void;
  waitFor(name: string, predicate: (app: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  stop(): Promise<void>;
};

type Source = { repoURL: string; path?: string; targetRevision?: string; directory?: { recurse?: boolean } };
type AppSpec = {
  source?: Source;
  destination: { server?: string; name?: string; namespace?: string };
  syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean }; syncOptions?: string[] };
  revisionHistoryLimit?: number;
};
type SyncOperation = { sync?: { revision?: string; prune?: boolean; syncOptions?: string[] }; initiatedBy?: { username?: string; automated?: boolean } };
type HistoryEntry = { id: number; revision: string; deployedAt: string; deployStartedAt: string; source: Source; initiatedBy: SyncOperation["initiatedBy"] };
type AppStatus = {
  resources?: ResourceStatus[];
  history?: HistoryEntry[];
  operationState?: { phase?: string; message?: string; syncResult?: { revision?: string } };
  health?: { status: HealthStatus };
};

const specAndOperation = (app: KubeObject | undefined): string => JSON.stringify([app?.spec, app?.operation]);

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]);

/**
 * Argo CD's status.summary: the images of the Application's workloads, sorted and deduplicated
 * (the controller collects them from the live resource tree's pods and pod templates).
 * Simplified: taken from the synced manifests, since the test clusters run no pods.
 */
function summaryOf(objects: readonly KubeObject[]): { images?: string[] } {
  const images = new Set<string>();
  for (const o of objects) {
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    const spec = o.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } }; containers?: unknown } | undefined;
    const pod = o.kind === "Pod" ? (spec as PodSpec | undefined) : o.kind === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) if (typeof c.image === "string") images.add(c.image);
  }
  return images.size > 0 ? { images: [...images].sort() } : {};
}
type PodSpec = { containers?: { image?: unknown }[]; initContainers?: { image?: unknown }[] };

export async function startArgoStandIn(cluster: TestCluster, opts: ArgoStandInOptions = {}): Promise<ArgoStandIn> {
  const rest = cluster.rest("admin");
  const namespace = opts.namespace ?? "argocd";
  const resyncMs = opts.resyncMs ?? 2000;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-argo-"));
  registerTempDir(workDir);
  const mirror = new GitMirror(workDir);
  const overrides = new Map<string, ArgoOverride>();
  const repoErrorGraceMs = opts.repoErrorGraceMs ?? 180_000;
  // When each Application's run of repository errors started (Argo CD's repoErrorCache).
  const repoErrorSince = new Map<string, number>();

  /** One merge patch: status, and clearing the handled operation and refresh request. */
  const write = async (app: KubeObject, status: Record<string, unknown>): Promise<void> => {
    const handledRefresh = app.metadata.annotations?.[REFRESH_ANNOTATION] !== undefined;
    await rest.mergePatch(
      { apiVersion: API_VERSION, kind: "Application", namespace, name: app.metadata.name },
      {
        // Guards against clearing an operation a user requested while we were syncing.
        metadata: { resourceVersion: app.metadata.resourceVersion, ...(handledRefresh ? { annotations: { [REFRESH_ANNOTATION]: null } } : {}) },
        ...(app.operation ? { operation: null } : {}),
        status: { ...status, reconciledAt: now(), observedAt: now(), controllerNamespace: namespace },
      },
    );
  };

  const reconcile = async (app: KubeObject): Promise<number> => {
    const spec = app.spec as AppSpec;
    const status = (app.status ?? {}) as AppStatus;
    const source = spec.source;
    const comparedTo = { source, destination: spec.destination };
    let desired: KubeObject[];
    let sha: string;
    try {
      if (!source) throw new Error("the stand-in supports single-source Applications (spec.source) only");
      const creds = await repoCredentials(rest, namespace, source.repoURL);
      sha = (await resolveTarget(mirror, source.repoURL, source.targetRevision, creds)).sha;
      const checkout = await mirror.checkout(source.repoURL, sha, creds);
      const objects = buildManifests(checkout.dir, source.path, { recurse: source.directory?.recurse ?? false });
      desired = await placeObjects(rest, objects, app.metadata.name, spec.destination.namespace);
    } catch (err) {
      const detail = err instanceof Error ? err.message.replace(/^fatal: /, "") : String(err);
      const message = `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = ${detail}`;
      const since = repoErrorSince.get(app.metadata.name) ?? Date.now();
      repoErrorSince.set(app.metadata.name, since);
      // Within the grace period the status is left as it was (a stale Synced, revision and all).
      if (Date.now() - since <= repoErrorGraceMs) return Math.min(resyncMs, repoErrorGraceMs);
      // sync.revision goes: the comparison never resolved a revision. (A merge patch: null removes it.)
      await write(app, {
        sync: { status: "Unknown", comparedTo, revision: null },
        health: status.health ?? { status: "Unknown" },
        conditions: [{ type: "ComparisonError", message, lastTransitionTime: now() }],
      });
      return resyncMs;
    }
    repoErrorSince.delete(app.metadata.name);

    let comparison: Comparison = await compare(rest, desired, status.resources ?? []);
    const operation = (app.operation as SyncOperation | undefined)?.sync ? (app.operation as SyncOperation) : undefined;
    const automated = spec.syncPolicy?.automated && spec.syncPolicy.automated.enabled !== false ? spec.syncPolicy.automated : undefined;
    // Auto-sync acts on a new revision; on drift of the same revision only with selfHeal, and
    // never again on a revision whose last sync failed: that is a SyncError until a new commit
    // (or a manual sync). Simplified: Argo CD retries a failing automated operation up to 5
    // times with backoff before its phase is Failed; the stand-in's operation fails at once.
    const lastSynced = status.operationState?.syncResult?.revision;
    const alreadyAttempted = lastSynced === sha;
    const lastFailed = alreadyAttempted && (status.operationState?.phase === "Failed" || status.operationState?.phase === "Error");
    const autoSync = !!automated && comparison.sync === "OutOfSync" && !lastFailed && (!alreadyAttempted || !!automated.selfHeal);
    const syncError =
      !operation && !!automated && comparison.sync === "OutOfSync" && lastFailed
        ? [{ type: "SyncError", message: `Failed last sync attempt to [${sha}]: ${status.operationState?.message ?? ""}`, lastTransitionTime: now() }]
        : null;
    let extra: Record<string, unknown> = {};
    if (operation || autoSync) {
      const startedAt = now();
      const prune = operation ? !!operation.sync?.prune : !!automated?.prune;
      const initiatedBy = operation?.initiatedBy ?? { automated: true };
      const syncOptions = [...(spec.syncPolicy?.syncOptions ?? []), ...(operation?.sync?.syncOptions ?? [])];
      const target = spec.destination.namespace;
      // Argo CD only creates a missing namespace (a plain create; 409 means it exists). Applying
      // it as the same field manager would strip what another Application's manifests set on it.
      if (target && syncOptions.includes("CreateNamespace=true")) {
        const created = await rest.raw("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: target } } });
        if (created.status >= 300 && created.status !== 409) throw new Error(`creating namespace ${target}: HTTP ${created.status}`);
      }
      const { results, failed } = await syncObjects(rest, desired, prune ? comparison.prunable : []);
      const history = status.history ?? [];
      const nextHistory = failed
        ? history
        : [...history, { id: (history.at(-1)?.id ?? -1) + 1, revision: sha, deployStartedAt: startedAt, deployedAt: now(), source, initiatedBy }].slice(
            -(spec.revisionHistoryLimit ?? 10),
          );
      extra = {
        history: nextHistory,
        operationState: {
          operation: { sync: { revision: sha, ...(prune ? { prune } : {}), ...(operation?.sync?.syncOptions ? { syncOptions: operation.sync.syncOptions } : {}) }, initiatedBy },
          phase: failed ? "Failed" : "Succeeded",
          message: failed ? `one or more objects failed to apply, reason: ${failed}` : "successfully synced (all tasks run)",
          startedAt,
          finishedAt: now(),
          syncResult: { revision: sha, source, resources: results },
        },
      };
      comparison = await compare(rest, desired, status.resources ?? []);
    }

    const override = overrides.get(app.metadata.name);
    await write(app, {
      ...extra,
      sync: { status: override?.sync ?? comparison.sync, revision: sha, comparedTo },
      health: { status: override?.health ?? comparison.health, ...(override?.message ? { message: override.message } : {}) },
      resources: comparison.resources,
      sourceType: "Directory",
      summary: summaryOf(comparison.sync === "Synced" ? desired : []),
      conditions: syncError,
    });
    return resyncMs;
  };

  const runtime = new StandInRuntime(rest, [
    {
      apiVersion: API_VERSION,
      kind: "Application",
      namespace,
      reconcile,
      // Status lives in the object, so every write bumps generation: look at what users change instead.
      needsReconcile: (type, app, old) =>
        type === "ADDED" ||
        specAndOperation(app) !== specAndOperation(old) ||
        (app.metadata.annotations?.[REFRESH_ANNOTATION] !== undefined && old?.metadata.annotations?.[REFRESH_ANNOTATION] === undefined),
    },
  ]);
  await runtime.start();

  let stopped: Promise<void> | undefined;
  return {
    force(name, override) {
      overrides.set(name, override);
      runtime.enqueue("Application", namespace, name);
    },
    clear(name) {
      overrides.delete(name);
      runtime.enqueue("Application", namespace, name);
    },
    waitFor: (name, predicate, timeoutMs) => runtime.waitFor("Application", namespace, name, predicate, timeoutMs),
    stop() {
      stopped ??= runtime.stop().then(() => removeTempDir(workDir));
      return stopped;
    },
  };
}
