import type { Reconciler } from "@/db/schema";
import type { ClusterFacts } from "./cluster-values";

/** A cluster row (or the parts of it a render needs) as the facts its values are resolved with. */
export function clusterFacts(cluster: { id: string; name: string; labels: Record<string, string> }, reconciler: Reconciler): ClusterFacts {
  return { id: cluster.id, name: cluster.name, labels: cluster.labels, reconciler };
}
