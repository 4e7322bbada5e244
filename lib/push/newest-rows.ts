import "server-only";
import { eq, inArray, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { rolloutClusters, rollouts } from "@/db/schema-configurations";

export type NewestRolloutRow = {
  clusterId: string;
  configurationId: string;
  version: number;
  action: (typeof rolloutClusters.$inferSelect)["action"];
  state: (typeof rolloutClusters.$inferSelect)["state"];
  reason: string | null;
};

/**
 * The newest rollout row per (cluster, configuration), for the given clusters or all. Ranked by a
 * window function: bare columns beside max() (SQLite's "the max row") are refused by PostgreSQL.
 */
export function newestRolloutRows(clusterIds?: readonly string[]): NewestRolloutRow[] {
  const db = getDb();
  const ranked = db
    .select({
      clusterId: rolloutClusters.clusterId,
      configurationId: rollouts.configurationId,
      version: rollouts.version,
      action: rolloutClusters.action,
      state: rolloutClusters.state,
      reason: rolloutClusters.reason,
      newest: sql<number>`row_number() over (partition by ${rolloutClusters.clusterId}, ${rollouts.configurationId} order by ${rollouts.sequence} desc)`.as("newest"),
    })
    .from(rolloutClusters)
    .innerJoin(rollouts, eq(rollouts.id, rolloutClusters.rolloutId))
    .where(clusterIds ? inArray(rolloutClusters.clusterId, [...clusterIds]) : undefined)
    .as("ranked");
  return db
    .select({ clusterId: ranked.clusterId, configurationId: ranked.configurationId, version: ranked.version, action: ranked.action, state: ranked.state, reason: ranked.reason })
    .from(ranked)
    .where(eq(ranked.newest, 1))
    .all();
}
