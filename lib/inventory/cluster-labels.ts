import "server-only";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { reconcileTargetsForCluster } from "@/lib/configurations/retarget";
import { findCluster, updateClusterLabels } from "./registry";

// The one way a cluster's labels change: the Clusters page's label form and
// `PUT /api/v1/clusters/{id}/labels` both come here (the labels already validated).

export type ReplaceLabelsResult = { status: "ok"; clusterName: string; from: Record<string, string> } | { status: "not-found" };

export function replaceClusterLabels(clusterId: string, labels: Record<string, string>, actor: AuditActor): ReplaceLabelsResult {
  const cluster = findCluster(clusterId);
  if (!cluster) return { status: "not-found" };
  updateClusterLabels(cluster.id, labels);
  recordAudit({ action: "cluster.update-labels", targetType: "cluster", targetId: cluster.name, actor, outcome: "success", details: { from: cluster.labels, to: labels } });
  // A cluster that newly matches a selector gets that configuration; one that stops matching loses it.
  void reconcileTargetsForCluster(cluster.id, { actor });
  return { status: "ok", clusterName: cluster.name, from: cluster.labels };
}
