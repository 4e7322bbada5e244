import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters, type Cluster } from "@/db/schema";
import { configurationStatus } from "@/db/schema-status";
import { ArgoVerbError } from "@/lib/reconcilers/argo/verbs";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { clientFor } from "@/lib/inventory/client-cache";
import { withClusterSlot } from "@/lib/k8s/budget";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { ClusterError, classifyError } from "@/lib/k8s/errors";
import { refOf } from "@/lib/push/apply";
import { Deadline } from "@/lib/k8s/deadline";
import { NO_RECONCILER, reconcilerById } from "@/lib/reconcilers";
import { describeRef } from "@/lib/reconcilers/kinds";
import type { Act, ReconcileVerb } from "@/lib/reconcilers/types";
import { requestTimeoutMs, statusSettings } from "@/lib/observe/loop";
import { loadTargets, type Target } from "./expected";

// The verbs on a configuration's objects on one cluster, by the cluster's reconciler (its
// `verbs` in lib/reconcilers/<name>/index.ts), as field manager "fleetline". This module finds the
// targets, runs each plan within the cluster's budget and records the request.

export { REQUESTED_AT } from "@/lib/reconcilers/verb-acts";
export type { ReconcileVerb };
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

/** Acts on the objects in order; stops at the first failure, which is reported with what was changed before it. */
function actOnAll(cluster: Cluster, objects: readonly RenderedObject[], act: Act): Promise<{ patched: string[]; error?: string }> {
  return withClusterSlot(() => actWithin(cluster, objects, act));
}

async function actWithin(cluster: Cluster, objects: readonly RenderedObject[], act: Act): Promise<{ patched: string[]; error?: string }> {
  const deadline = new Deadline(statusSettings().timeoutMs);
  const client = clientFor(cluster, requestTimeoutMs()).withSignal(deadline.signal);
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
  const reconciler = reconcilerById(target.reconciler);
  if (!reconciler) return { status: "not-found" };
  const token = newReconcileToken();
  const plan = reconciler.verbs.reconcile(rendered, { withSource, token });
  const verb = plan.verb as ReconcileVerb;
  const result = await actOnAll(cluster, plan.objects, plan.act);
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
  const token = newReconcileToken();
  const settled = await mapWithConcurrency(targets, statusSettings().concurrency, async (target): Promise<ClusterVerbResult> => {
    const cluster = byId.get(target.clusterId);
    if (!cluster) return { clusterId: target.clusterId, clusterName: "", status: "failed", patched: [], error: "the cluster no longer exists" };
    const rendered = renderedTarget(target) ?? [];
    const reconciler = reconcilerById(target.reconciler);
    if (!reconciler) return { clusterId: cluster.id, clusterName: cluster.name, status: "failed", patched: [], error: NO_RECONCILER };
    const plan = reconciler.verbs.setSuspended(rendered, isSuspended, token);
    const result = await actOnAll(cluster, plan.objects, plan.act);
    return { clusterId: cluster.id, clusterName: cluster.name, status: result.error ? "failed" : "ok", patched: result.patched, ...(result.error ? { error: result.error } : {}) };
  });
  return {
    status: "ok",
    clusters: settled.map((s, i) => (s.status === "fulfilled" ? s.value : { clusterId: targets[i]!.clusterId, clusterName: "", status: "failed", patched: [], error: classifyError(s.reason).message })),
  };
}

export const suspend = (configurationId: string, clusterId?: string) => setSuspended(configurationId, true, clusterId);
export const resume = (configurationId: string, clusterId?: string) => setSuspended(configurationId, false, clusterId);
