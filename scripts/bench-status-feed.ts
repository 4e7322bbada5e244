// For bench:push: what the observation loop would write once Flux has applied a pushed version,
// for clusters without Flux. Every 50 ms, each applied cluster of the rollout gets a Compliant
// status row on the rollout's version, so a wave's gate can pass.
import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../db";
import { rolloutClusters, rollouts } from "../db/schema-configurations";
import { configurationStatus } from "../db/schema-status";

export function markAppliedCompliant(rolloutId: string, configurationId: string): () => void {
  const db = getDb();
  const version = db.select({ version: rollouts.version }).from(rollouts).where(eq(rollouts.id, rolloutId)).get()?.version ?? 0;
  const tick = () => {
    const now = new Date();
    const applied = db
      .select({ clusterId: rolloutClusters.clusterId })
      .from(rolloutClusters)
      .leftJoin(configurationStatus, and(eq(configurationStatus.configurationId, configurationId), eq(configurationStatus.clusterId, rolloutClusters.clusterId)))
      .where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.state, "applied"), sql`coalesce(${configurationStatus.appliedVersion}, 0) < ${version}`))
      .all();
    if (applied.length === 0) return;
    db.transaction((tx) => {
      for (const { clusterId } of applied) {
        const row = { configurationId, clusterId, state: "Compliant" as const, expectedVersion: version, appliedVersion: version, stateChangedAt: now, observedAt: now, lastSeenAt: now };
        tx.insert(configurationStatus).values(row).onConflictDoUpdate({ target: [configurationStatus.configurationId, configurationStatus.clusterId], set: row }).run();
      }
    });
  };
  const timer = setInterval(tick, 50);
  return () => clearInterval(timer);
}
