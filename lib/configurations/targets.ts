import "server-only";
import { asc, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurationTargets, type TargetReason } from "@/db/schema-configurations";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { matchesSelector } from "@/lib/validation/label-selector";

export type ClusterLabels = { id: string; name: string; labels: Record<string, string> };
export type ResolvedTarget = { clusterId: string; clusterName: string; reason: TargetReason };

/**
 * Pure: the clusters a target spec names right now. Explicit ids that no longer exist are
 * skipped; a cluster both listed and matched counts as explicit (it stays when relabelled).
 */
export function selectTargets(fleet: readonly ClusterLabels[], targets: ConfigurationSpec["targets"]): ResolvedTarget[] {
  const explicit = new Set(targets.clusterIds);
  const result: ResolvedTarget[] = [];
  for (const cluster of fleet) {
    if (explicit.has(cluster.id)) result.push({ clusterId: cluster.id, clusterName: cluster.name, reason: "explicit" });
    else if (targets.selector && matchesSelector(cluster.labels, targets.selector)) {
      result.push({ clusterId: cluster.id, clusterName: cluster.name, reason: "selector" });
    }
  }
  return result;
}

/** Whether one cluster is a target: the question asked when it is registered or relabelled. */
export function isTarget(cluster: Pick<ClusterLabels, "id" | "labels">, targets: ConfigurationSpec["targets"]): boolean {
  if (targets.clusterIds.includes(cluster.id)) return true;
  return targets.selector !== undefined && matchesSelector(cluster.labels, targets.selector);
}

export function listFleetLabels(): ClusterLabels[] {
  return getDb().select({ id: clusters.id, name: clusters.name, labels: clusters.labels }).from(clusters).orderBy(asc(clusters.name)).all();
}

/** The selector is evaluated against the registered clusters' labels at the moment of asking. */
export function resolveTargets(targets: ConfigurationSpec["targets"]): ResolvedTarget[] {
  return selectTargets(listFleetLabels(), targets);
}

/** The target set recorded at the last push (plus clusters whose removal has not succeeded yet). */
export function currentTargets(configurationId: string): ResolvedTarget[] {
  return getDb()
    .select({ clusterId: configurationTargets.clusterId, clusterName: clusters.name, reason: configurationTargets.reason })
    .from(configurationTargets)
    .innerJoin(clusters, eq(clusters.id, configurationTargets.clusterId))
    .where(eq(configurationTargets.configurationId, configurationId))
    .orderBy(asc(clusters.name))
    .all();
}
