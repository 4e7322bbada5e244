import "server-only";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurations, configurationTargets } from "@/db/schema-configurations";
import type { AuditActor } from "@/lib/audit";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import type { PushSettings } from "@/lib/push/cluster-run";
import { newestRolloutRows } from "@/lib/push/newest-rows";
import { startRemoval, startRollout, type RolloutProgress } from "@/lib/push/rollouts";
import { runRollout } from "@/lib/push/run";
import { getVersion } from "./store";
import { isTarget } from "./targets";

export type RetargetAction = {
  configurationId: string;
  configurationName: string;
  action: "pushed" | "removed" | "failed";
  rolloutId?: string;
  reason?: string;
};

export const SYSTEM_ACTOR: AuditActor = { id: null, email: "system", role: null };

// Configurations are handled a few at a time: each one is a rollout against the same cluster.
const RETARGET_CONCURRENCY = 4;

function outcome(progress: RolloutProgress | undefined, success: RetargetAction["action"]): Pick<RetargetAction, "action" | "reason"> {
  const row = progress?.clusters[0];
  if (row && (row.state === "applied" || row.state === "removed")) return { action: success };
  return { action: "failed", reason: row?.reason ?? "the rollout did not run" };
}

/** Per configuration, whether the newest rollout row for this cluster is a removal not yet done. */
function newestIntents(clusterId: string): Map<string, "removing"> {
  const rows = newestRolloutRows([clusterId]);
  return new Map(rows.filter((row) => row.action === "remove" && (row.state === "pending" || row.state === "applying")).map((row) => [row.configurationId, "removing" as const]));
}

/**
 * Re-evaluates every pushed configuration against one cluster, after it was registered or
 * its labels changed: a configuration that now targets it is pushed there (its last pushed
 * version, the one the rest of its fleet runs), and one that no longer does has its objects
 * removed. Configurations never pushed are left alone. Returns what it did, per configuration.
 */
export async function reconcileTargetsForCluster(
  clusterId: string,
  { actor = SYSTEM_ACTOR, settings }: { actor?: AuditActor; settings?: Partial<PushSettings> } = {},
): Promise<RetargetAction[]> {
  const db = getDb();
  const cluster = db.select({ id: clusters.id, labels: clusters.labels }).from(clusters).where(eq(clusters.id, clusterId)).get();
  if (!cluster) return [];
  const pushed = db
    .select({ id: configurations.id, name: configurations.name, pushedVersion: configurations.pushedVersion, targetedAs: configurationTargets.reason })
    .from(configurations)
    .leftJoin(configurationTargets, and(eq(configurationTargets.configurationId, configurations.id), eq(configurationTargets.clusterId, clusterId)))
    .where(and(isNull(configurations.deletedAt), isNotNull(configurations.pushedVersion)))
    .all();

  const intents = newestIntents(clusterId);
  const plans = pushed.flatMap((configuration) => {
    const version = configuration.pushedVersion === null ? undefined : getVersion(configuration.id, configuration.pushedVersion);
    if (!version) return [];
    const wanted = isTarget(cluster, version.spec.targets);
    // A removal still queued means "not targeted" already (the target row goes once it succeeds):
    // otherwise a quick relabel back would see no change and the removal would win.
    const targeted = intents.get(configuration.id) === "removing" ? false : configuration.targetedAs !== null;
    if (wanted === targeted) return [];
    return [{ configuration, version: version.version, wanted }];
  });

  // Every rollout is recorded before any runs (synchronously, in the caller's turn): the relabel's
  // intent is in the database even if the caller does not wait, and a second relabel queues behind it.
  const started = plans.map(({ configuration, version, wanted }) => {
    const base = { configurationId: configuration.id, configurationName: configuration.name };
    if (wanted) {
      const rollout = startRollout(configuration.id, version, { actor, clusterIds: [clusterId], trigger: "target-change" });
      if (rollout.status !== "ok") return { base, failed: rollout.status === "invalid" ? rollout.message : "the configuration is gone" };
      return { base, rolloutId: rollout.rolloutId, success: "pushed" as const };
    }
    const rolloutId = startRemoval(configuration.id, [clusterId], { actor, trigger: "target-change" });
    if (rolloutId === undefined) return { base, failed: "the configuration is gone" };
    return { base, rolloutId, success: "removed" as const };
  });

  const results = await mapWithConcurrency(started, RETARGET_CONCURRENCY, async (plan): Promise<RetargetAction> => {
    if (plan.rolloutId === undefined || plan.success === undefined) return { ...plan.base, action: "failed", reason: plan.failed ?? "the rollout did not run" };
    return { ...plan.base, rolloutId: plan.rolloutId, ...outcome(await runRollout(plan.rolloutId, settings), plan.success) };
  });
  return results.map((result, index) =>
    result.status === "fulfilled"
      ? result.value
      : { configurationId: plans[index]?.configuration.id ?? "", configurationName: plans[index]?.configuration.name ?? "", action: "failed" as const, reason: "unexpected error" },
  );
}
