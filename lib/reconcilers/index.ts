import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Cluster, type Reconciler } from "@/db/schema";
import { ClusterError, withRetry } from "@/lib/k8s/client";
import type { ClusterStep } from "@/lib/push/apply";

/** Which reconciler a push renders for: the admin's override, else what the inventory detected, else what the cluster serves now. */

export const NO_RECONCILER =
  "the cluster has no reconciler: neither Flux nor Argo CD is installed (or these credentials cannot see them); install one, or set the reconciler on the cluster's Credentials tab";

/** A cluster row with its reconciler as stored: the override, else the last detection (null when neither is known). */
export function loadCluster(clusterId: string): { cluster: Cluster; reconciler: Reconciler | null } | undefined {
  const row = getDb()
    .select({ cluster: clusters, detected: clusterHealth.detectedReconciler })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(eq(clusters.id, clusterId))
    .get();
  return row ? { cluster: row.cluster, reconciler: row.cluster.reconcilerOverride ?? row.detected ?? null } : undefined;
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
  if (await serves(step, "source.toolkit.fluxcd.io")) return "flux";
  if (await serves(step, "argoproj.io")) return "argocd";
  return null;
}
