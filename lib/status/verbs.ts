import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters, type Cluster } from "@/db/schema";
import { configurationStatus } from "@/db/schema-status";
import { ArgoVerbError, refreshApplication, resumeApplication, suspendApplication, syncApplication, type ApplicationRef } from "@/lib/reconcilers/argo/verbs";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { clientFor } from "@/lib/inventory/client-cache";
import type { ClusterClient } from "@/lib/k8s/client";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { ClusterError, classifyError } from "@/lib/k8s/errors";
import { FIELD_MANAGER, refOf } from "@/lib/push/apply";
import { Deadline } from "@/lib/k8s/deadline";
import { describeRef, objectPath } from "@/lib/reconcilers/kinds";
import { requestTimeoutMs, statusSettings } from "@/lib/observe/loop";
import { isFluxKind, loadTargets, type Target } from "./expected";

// The verbs on a configuration's objects on one cluster, for the cluster's reconciler, as field
// manager "fleetline". Flux: reconcile now (annotation reconcile.fluxcd.io/requestedAt), suspend
// and resume (spec.suspend). Argo CD (lib/reconcilers/argo/verbs): refresh, or with the source a sync
// operation; suspend and resume take away and put back the automated sync policy.

export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
const WORKLOAD_KINDS = new Set(["Kustomization", "HelmRelease"]);

/** What "reconcile now" asked the reconciler for: a Flux reconcile, an Argo CD refresh or an Argo CD sync. */
export type ReconcileVerb = "reconcile" | "refresh" | "sync";
export type ClusterVerbResult = { clusterId: string; clusterName: string; status: "ok" | "failed"; patched: string[]; error?: string };
export type ReconcileResult = { status: "ok"; verb: ReconcileVerb; token: string; patched: string[] } | { status: "not-found" } | { status: "failed"; verb: ReconcileVerb; token: string; patched: string[]; error: string };
export type SuspendResult = { status: "ok"; clusters: ClusterVerbResult[] } | { status: "not-found" };

/** A fresh RFC 3339 token; Flux copies it to status.lastHandledReconcileAt once it has reconciled. */
export function newReconcileToken(now = new Date()): string {
  return now.toISOString();
}

function renderedTarget(target: Target | undefined): RenderedObject[] | undefined {
  return target && Array.isArray(target.rendered) ? target.rendered : undefined;
}

/** One verb on one object; false when there was nothing to change (an Application already suspended). */
type Act = (client: ClusterClient, object: RenderedObject) => Promise<unknown>;

const mergePatch =
  (patch: object): Act =>
  (client, object) =>
    client.mergePatch(objectPath(refOf(object)), patch, { fieldManager: FIELD_MANAGER });
const applicationRef = (object: RenderedObject): ApplicationRef => ({ name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) });
const isApplication = (object: RenderedObject) => object.kind === "Application";
const ARGO_ACTS = {
  refresh: (client, object) => refreshApplication(client, applicationRef(object)),
  sync: (client, object) => syncApplication(client, applicationRef(object)),
  suspend: (client, object) => suspendApplication(client, applicationRef(object)),
  resume: (client, object) => resumeApplication(client, applicationRef(object)),
} satisfies Record<string, Act>;

/** Acts on the objects in order; stops at the first failure, which is reported with what was changed before it. */
async function actOnAll(cluster: Cluster, objects: readonly RenderedObject[], act: Act): Promise<{ patched: string[]; error?: string }> {
  const deadline = new Deadline(statusSettings().timeoutMs);
  const client = clientFor(cluster, requestTimeoutMs());
  const patched: string[] = [];
  for (const object of objects) {
    const name = describeRef(refOf(object));
    try {
      deadline.check();
      if ((await deadline.race(act(client, object))) !== false) patched.push(name);
    } catch (error) {
      if (error instanceof ArgoVerbError) return { patched, error: error.message };
      const missing = error instanceof ClusterError && error.kind === "not-found";
      return { patched, error: missing ? `${name} is not on the cluster (push the configuration first)` : `${name}: ${classifyError(error).message}` };
    }
  }
  return { patched };
}

/**
 * Asks the cluster's reconciler to act now. Flux: reconcile the Kustomizations and HelmReleases,
 * and with `withSource` their source first (so a new commit is fetched before it is applied).
 * Argo CD: refresh each Application (compare with Git again), and with `withSource` sync it.
 * Returns the token; the collector records when the cluster handled the request.
 */
export async function reconcileNow(clusterId: string, configurationId: string, { withSource = false } = {}): Promise<ReconcileResult> {
  const cluster = getDb().select().from(clusters).where(eq(clusters.id, clusterId)).get();
  const target = loadTargets([clusterId]).get(clusterId)?.find((t) => t.configurationId === configurationId);
  const rendered = renderedTarget(target);
  if (!cluster || !target || !rendered) return { status: "not-found" };
  const token = newReconcileToken();
  const isArgo = target.reconciler === "argocd";
  const verb: ReconcileVerb = isArgo ? (withSource ? "sync" : "refresh") : "reconcile";
  // Flux: source first, as it is first in apply order, and Flux then applies what it fetched.
  const result = isArgo
    ? await actOnAll(cluster, rendered.filter(isApplication), ARGO_ACTS[withSource ? "sync" : "refresh"])
    : await actOnAll(cluster, rendered.filter((o) => WORKLOAD_KINDS.has(o.kind) || (withSource && isFluxKind(o.kind))), mergePatch({ metadata: { annotations: { [REQUESTED_AT]: token } } }));
  if (result.patched.length > 0) {
    getDb()
      .update(configurationStatus)
      .set({ reconcileRequestedAt: token })
      .where(and(eq(configurationStatus.clusterId, clusterId), eq(configurationStatus.configurationId, configurationId)))
      .run();
  }
  return result.error ? { status: "failed", verb, token, patched: result.patched, error: result.error } : { status: "ok", verb, token, patched: result.patched };
}

/**
 * Suspends or resumes the configuration on one cluster or (without clusterId) on every
 * target, each by its own reconciler. Flux: spec.suspend on every Flux object, resuming also
 * requesting a reconcile as `flux resume` does. Argo CD: the automated sync policy of each
 * Application (put back on resume, which makes Argo CD sync again).
 */
export async function setSuspended(configurationId: string, isSuspended: boolean, clusterId?: string): Promise<SuspendResult> {
  const targets = [...loadTargets(clusterId ? [clusterId] : undefined).values()].flat().filter((t) => t.configurationId === configurationId);
  if (targets.length === 0) return { status: "not-found" };
  const rows = getDb().select().from(clusters).where(inArray(clusters.id, targets.map((t) => t.clusterId))).all();
  const byId = new Map(rows.map((c) => [c.id, c]));
  const fluxPatch = mergePatch({ spec: { suspend: isSuspended }, ...(isSuspended ? {} : { metadata: { annotations: { [REQUESTED_AT]: newReconcileToken() } } }) });
  const settled = await mapWithConcurrency(targets, statusSettings().concurrency, async (target): Promise<ClusterVerbResult> => {
    const cluster = byId.get(target.clusterId);
    if (!cluster) return { clusterId: target.clusterId, clusterName: "", status: "failed", patched: [], error: "the cluster no longer exists" };
    const rendered = renderedTarget(target) ?? [];
    const result =
      target.reconciler === "argocd"
        ? await actOnAll(cluster, rendered.filter(isApplication), ARGO_ACTS[isSuspended ? "suspend" : "resume"])
        : await actOnAll(cluster, rendered.filter((o) => isFluxKind(o.kind)), fluxPatch);
    return { clusterId: cluster.id, clusterName: cluster.name, status: result.error ? "failed" : "ok", patched: result.patched, ...(result.error ? { error: result.error } : {}) };
  });
  return {
    status: "ok",
    clusters: settled.map((s, i) => (s.status === "fulfilled" ? s.value : { clusterId: targets[i]!.clusterId, clusterName: "", status: "failed", patched: [], error: classifyError(s.reason).message })),
  };
}

export const suspend = (configurationId: string, clusterId?: string) => setSuspended(configurationId, true, clusterId);
export const resume = (configurationId: string, clusterId?: string) => setSuspended(configurationId, false, clusterId);
