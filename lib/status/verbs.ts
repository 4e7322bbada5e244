import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters, type Cluster } from "@/db/schema";
import { configurationStatus } from "@/db/schema-status";
import type { KubeObject as RenderedObject } from "@/lib/flux/render";
import { clientFor } from "@/lib/inventory/client-cache";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { ClusterError, classifyError } from "@/lib/k8s/errors";
import { FIELD_MANAGER, refOf } from "@/lib/push/apply";
import { Deadline } from "@/lib/push/deadline";
import { describeRef, objectPath } from "@/lib/push/kinds";
import { requestTimeoutMs, statusSettings } from "./collector";
import { isFluxKind, loadTargets, type Target } from "./expected";

// The standard Flux verbs on a configuration's objects, as field manager "fleetline":
// reconcile now (annotation reconcile.fluxcd.io/requestedAt), suspend and resume (spec.suspend).

export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
const WORKLOAD_KINDS = new Set(["Kustomization", "HelmRelease"]);

export type ClusterVerbResult = { clusterId: string; clusterName: string; status: "ok" | "failed"; patched: string[]; error?: string };
export type ReconcileResult = { status: "ok"; token: string; patched: string[] } | { status: "not-found" } | { status: "failed"; token: string; patched: string[]; error: string };
export type SuspendResult = { status: "ok"; clusters: ClusterVerbResult[] } | { status: "not-found" };

/** A fresh RFC 3339 token; Flux copies it to status.lastHandledReconcileAt once it has reconciled. */
export function newReconcileToken(now = new Date()): string {
  return now.toISOString();
}

function renderedTarget(target: Target | undefined): RenderedObject[] | undefined {
  return target && Array.isArray(target.rendered) ? target.rendered : undefined;
}

/** Patches the objects in order; stops at the first failure, which is reported with what was patched before it. */
async function patchAll(cluster: Cluster, objects: readonly RenderedObject[], patch: object): Promise<{ patched: string[]; error?: string }> {
  const deadline = new Deadline(statusSettings().timeoutMs);
  const client = clientFor(cluster, requestTimeoutMs());
  const patched: string[] = [];
  for (const object of objects) {
    const ref = refOf(object);
    const name = describeRef(ref);
    try {
      deadline.check();
      await deadline.race(client.mergePatch(objectPath(ref), patch, { fieldManager: FIELD_MANAGER }));
      patched.push(name);
    } catch (error) {
      const missing = error instanceof ClusterError && error.kind === "not-found";
      return { patched, error: missing ? `${name} is not on the cluster (push the configuration first)` : `${name}: ${classifyError(error).message}` };
    }
  }
  return { patched };
}

/**
 * Asks Flux to reconcile the configuration's Kustomizations and HelmReleases now, and with
 * `withSource` its source first (so a new commit is fetched before it is applied). Returns
 * the token; the collector records when the cluster handled it (lastHandledReconcileAt).
 */
export async function reconcileNow(clusterId: string, configurationId: string, { withSource = false } = {}): Promise<ReconcileResult> {
  const cluster = getDb().select().from(clusters).where(eq(clusters.id, clusterId)).get();
  const rendered = renderedTarget(loadTargets([clusterId]).get(clusterId)?.find((t) => t.configurationId === configurationId));
  if (!cluster || !rendered) return { status: "not-found" };
  const objects = rendered.filter((o) => WORKLOAD_KINDS.has(o.kind) || (withSource && isFluxKind(o.kind)));
  // Source first: it is first in apply order, and Flux then applies what it fetched.
  const token = newReconcileToken();
  const result = await patchAll(cluster, objects, { metadata: { annotations: { [REQUESTED_AT]: token } } });
  if (result.patched.length > 0) {
    getDb()
      .update(configurationStatus)
      .set({ reconcileRequestedAt: token })
      .where(and(eq(configurationStatus.clusterId, clusterId), eq(configurationStatus.configurationId, configurationId)))
      .run();
  }
  return result.error ? { status: "failed", token, patched: result.patched, error: result.error } : { status: "ok", token, patched: result.patched };
}

/**
 * Sets spec.suspend on every Flux object of the configuration, on one cluster or (without
 * clusterId) on every target; resuming also requests a reconcile, as `flux resume` does.
 */
export async function setSuspended(configurationId: string, isSuspended: boolean, clusterId?: string): Promise<SuspendResult> {
  const targets = [...loadTargets(clusterId ? [clusterId] : undefined).values()].flat().filter((t) => t.configurationId === configurationId);
  if (targets.length === 0) return { status: "not-found" };
  const rows = getDb().select().from(clusters).where(inArray(clusters.id, targets.map((t) => t.clusterId))).all();
  const byId = new Map(rows.map((c) => [c.id, c]));
  const patch = { spec: { suspend: isSuspended }, ...(isSuspended ? {} : { metadata: { annotations: { [REQUESTED_AT]: newReconcileToken() } } }) };
  const settled = await mapWithConcurrency(targets, statusSettings().concurrency, async (target): Promise<ClusterVerbResult> => {
    const cluster = byId.get(target.clusterId);
    const objects = (renderedTarget(target) ?? []).filter((o) => isFluxKind(o.kind));
    if (!cluster) return { clusterId: target.clusterId, clusterName: "", status: "failed", patched: [], error: "the cluster no longer exists" };
    const result = await patchAll(cluster, objects, patch);
    return { clusterId: cluster.id, clusterName: cluster.name, status: result.error ? "failed" : "ok", patched: result.patched, ...(result.error ? { error: result.error } : {}) };
  });
  return {
    status: "ok",
    clusters: settled.map((s, i) => (s.status === "fulfilled" ? s.value : { clusterId: targets[i]!.clusterId, clusterName: "", status: "failed", patched: [], error: classifyError(s.reason).message })),
  };
}

export const suspend = (configurationId: string, clusterId?: string) => setSuspended(configurationId, true, clusterId);
export const resume = (configurationId: string, clusterId?: string) => setSuspended(configurationId, false, clusterId);
