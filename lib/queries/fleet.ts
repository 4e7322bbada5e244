import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters } from "@/db/schema";

/** Every cluster's id, name, labels and reconciler: what the wizard's target picker matches against. */
export function listFleetForTargeting() {
  return getDb()
    .select({
      id: clusters.id,
      name: clusters.name,
      labels: clusters.labels,
      reconciler: sql<string | null>`coalesce(${clusters.reconcilerOverride}, ${clusterHealth.detectedReconciler})`,
    })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .orderBy(asc(clusters.name))
    .all();
}
