import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Cluster, type Reconciler } from "@/db/schema";
import { ClusterError, withRetry } from "@/lib/k8s/client";
import type { ClusterStep } from "@/lib/push/apply";
import { argo } from "./argo";
import { flux } from "./flux";
import type { Reconciler as ReconcilerModule } from "./types";

export type { ReconcilerModule };

/** Every reconciler Fleetline supports, in detection order: Flux wins when a cluster serves both. A third one is a folder and a line here. */
export const RECONCILERS: readonly ReconcilerModule[] = [flux, argo];

export function reconcilerById(id: Reconciler | null | undefined): ReconcilerModule | null {
  return RECONCILERS.find((r) => r.id === id) ?? null;
}

/** What a cluster row carries about its reconciler. */
export type ReconcilerChoice = { reconcilerOverride?: Reconciler | null; detectedReconciler?: Reconciler | null };

/**
 * THE rule, and its only copy: the admin's override, else what the observation loop detected,
 * else none (a cluster with no reconciler gets nothing rendered and says so).
 */
export function reconcilerIdFor(cluster: ReconcilerChoice): Reconciler | null {
  return cluster.reconcilerOverride ?? cluster.detectedReconciler ?? null;
}

export function reconcilerFor(cluster: ReconcilerChoice): ReconcilerModule | null {
  return reconcilerById(reconcilerIdFor(cluster));
}

/** The reconciler a cluster runs, from the API groups it serves (discovery). */
export function detectFromGroups(isServed: (group: string) => boolean): Reconciler | null {
  return RECONCILERS.find((r) => isServed(r.detectGroup))?.id ?? null;
}

/** "Flux", "Argo CD". */
export function reconcilerLabel(id: Reconciler): string {
  return reconcilerById(id)?.label ?? id;
}

/** Which reconciler a push renders for: the admin's override, else what the inventory detected, else what the cluster serves now. */

export { NO_RECONCILER } from "./no-reconciler";

/** A cluster row with its reconciler as stored: the override, else the last detection (null when neither is known). */
export function loadCluster(clusterId: string): { cluster: Cluster; reconciler: Reconciler | null } | undefined {
  const row = getDb()
    .select({ cluster: clusters, detected: clusterHealth.detectedReconciler })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(eq(clusters.id, clusterId))
    .get();
  return row ? { cluster: row.cluster, reconciler: reconcilerIdFor({ reconcilerOverride: row.cluster.reconcilerOverride, detectedReconciler: row.detected }) } : undefined;
}

async function serves(step: ClusterStep, group: string): Promise<boolean> {
  try {
    await withRetry(() => {
      step.deadline.check();
      return step.client.get(`/apis/${group}`);
    }, step.retry);
    return true;
  } catch (error) {
    if (error instanceof ClusterError && error.kind === "not-found") return false;
    throw error;
  }
}

/**
 * Asks the cluster, for one never checked by the inventory (or where it found nothing):
 * API discovery, which every authenticated user may read. Flux wins when both are served,
 * as in the inventory's detection.
 */
export async function detectReconciler(step: ClusterStep): Promise<Reconciler | null> {
  for (const reconciler of RECONCILERS) if (await serves(step, reconciler.detectGroup)) return reconciler.id;
  return null;
}
