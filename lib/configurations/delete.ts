import "server-only";
import { and, asc, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { configurations, configurationTargets, rolloutClusters, rollouts } from "@/db/schema-configurations";
import type { AuditActor } from "@/lib/audit";
import type { PushSettings } from "@/lib/push/cluster-run";
import { runRollout } from "@/lib/push/run";
import { startRemoval, type RolloutProgress } from "@/lib/push/rollouts";

export type DeleteConfigurationOptions = {
  /** true: delete its objects from every cluster first; false: leave them there (orphaned). */
  removeFromClusters: boolean;
  actor: AuditActor;
  settings?: Partial<PushSettings>;
};

export type DeleteConfigurationResult =
  | { status: "deleted"; removal?: RolloutProgress }
  | { status: "not-found" }
  /** Some clusters could not be reached or refused: nothing was deleted; retry, or delete orphaning. */
  | { status: "removal-failed"; removal: RolloutProgress };

/**
 * Every cluster that may hold the configuration's objects: its targets, and every cluster a
 * rollout touched whose latest row is not a successful removal (a failed apply may have
 * applied part of a version).
 */
function clustersHolding(configurationId: string): string[] {
  const db = getDb();
  const holding = new Set(
    db.select({ clusterId: configurationTargets.clusterId }).from(configurationTargets).where(eq(configurationTargets.configurationId, configurationId)).all().map((row) => row.clusterId),
  );
  const history = db
    .select({ clusterId: rolloutClusters.clusterId, state: rolloutClusters.state })
    .from(rolloutClusters)
    .innerJoin(rollouts, eq(rollouts.id, rolloutClusters.rolloutId))
    .where(eq(rollouts.configurationId, configurationId))
    .orderBy(asc(rollouts.sequence))
    .all();
  const latest = new Map(history.map((row) => [row.clusterId, row.state]));
  for (const [clusterId, state] of latest) if (state !== "removed") holding.add(clusterId);
  return [...holding];
}

/**
 * Deletes a configuration. Its versions and rollouts stay as history (the row is marked
 * deleted, which frees the name). The deletion is a rollout like any other: it waits for a push
 * of the configuration that is applying, supersedes what has not applied yet, and no push is
 * accepted after it. With removeFromClusters the objects are deleted from every cluster first,
 * and the configuration is kept if any cluster failed, so no object is orphaned without the
 * user choosing it; the rollout marks the configuration deleted when it ends (also when a
 * restart finished it).
 */
export async function deleteConfiguration(id: string, options: DeleteConfigurationOptions): Promise<DeleteConfigurationResult> {
  const db = getDb();
  const live = db.select().from(configurations).where(and(eq(configurations.id, id), isNull(configurations.deletedAt))).get();
  if (!live) return { status: "not-found" };
  const rolloutId = startRemoval(id, options.removeFromClusters ? clustersHolding(id) : [], { actor: options.actor, trigger: "delete" });
  if (rolloutId === undefined) return { status: "not-found" };
  const removal = await runRollout(rolloutId, options.settings);
  if (removal && removal.counts.failed > 0) return { status: "removal-failed", removal };
  const deleted = db.select({ deletedAt: configurations.deletedAt }).from(configurations).where(eq(configurations.id, id)).get();
  if (deleted?.deletedAt == null) return { status: "not-found" };
  return { status: "deleted", ...(options.removeFromClusters && removal ? { removal } : {}) };
}
