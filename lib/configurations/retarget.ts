import "server-only";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurations, configurationTargets } from "@/db/schema-configurations";
import type { AuditActor } from "@/lib/audit";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import type { PushSettings } from "@/lib/push/cluster-run";
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

  const plans = pushed.flatMap((configuration) => {
    const version = configuration.pushedVersion === null ? undefined : getVersion(configuration.id, configuration.pushedVersion);
    if (!version) return [];
    const wanted = isTarget(cluster, version.spec.targets);
    const targeted = configuration.targetedAs !== null;
    if (wanted === targeted) return [];
    return [{ configuration, version: version.version, wanted }];
  });

  const results = await mapWithConcurrency(plans, RETARGET_CONCURRENCY, async ({ configuration, version, wanted }): Promise<RetargetAction> => {
    const base = { configurationId: configuration.id, configurationName: configuration.name };
    if (wanted) {
      const started = startRollout(configuration.id, version, { actor, clusterIds: [clusterId], trigger: "target-change" });
      if (started.status !== "ok") return { ...base, action: "failed", reason: started.status === "invalid" ? started.message : "the configuration is gone" };
      return { ...base, rolloutId: started.rolloutId, ...outcome(await runRollout(started.rolloutId, settings), "pushed") };
    }
    const rolloutId = startRemoval(configuration.id, [clusterId], { actor, trigger: "target-change" });
    if (rolloutId === undefined) return { ...base, action: "failed", reason: "the configuration is gone" };
    return { ...base, rolloutId, ...outcome(await runRollout(rolloutId, settings), "removed") };
  });
  return results.map((result, index) =>
    result.status === "fulfilled"
      ? result.value
      : { configurationId: plans[index]?.configuration.id ?? "", configurationName: plans[index]?.configuration.name ?? "", action: "failed" as const, reason: "unexpected error" },
  );
}
