import "server-only";
import crypto from "node:crypto";
import { and, asc, count, desc, eq, inArray, isNull, max } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import type { ComplianceState } from "@/db/enums";
import { configurationStatus } from "@/db/schema-status";
import {
  configurations,
  configurationTargets,
  rolloutClusters,
  rollouts,
  ROLLOUT_CLUSTER_STATES,
  UNFINISHED_ROLLOUT_STATES,
  type Rollout,
  type RolloutAction,
  type RolloutCluster,
  type RolloutClusterState,
  type RolloutTrigger,
  type TargetReason,
} from "@/db/schema-configurations";
import type { AuditActor } from "@/lib/audit";
import { getVersion } from "@/lib/configurations/store";
import { currentTargets, resolveTargets } from "@/lib/configurations/targets";
import { invalidResult } from "@/lib/configurations/validate";
import { formatZodErrors } from "@/lib/validation/configuration";
import { pushClusterIdsSchema } from "@/lib/validation/limits";
import { initialControl, planWaves, singleWave, type RolloutControl, type Strategy } from "./waves";

export type StartRolloutOptions = {
  actor: AuditActor;
  /** Push to these targets only (a retry of failed clusters, say); by default the whole target set. */
  clusterIds?: string[];
  trigger?: RolloutTrigger;
};

export type StartRolloutResult = { status: "ok"; rolloutId: string; clusterCount: number } | ReturnType<typeof invalidResult> | { status: "not-found" };

type PlannedRow = { clusterId: string; action: RolloutAction; reason?: TargetReason; wave?: number };

function liveConfiguration(id: string) {
  return getDb().select().from(configurations).where(and(eq(configurations.id, id), isNull(configurations.deletedAt))).get();
}

const INSERT_CHUNK = 500;

type NewRollout = {
  configurationId: string;
  version: number;
  trigger: RolloutTrigger;
  actor: AuditActor;
  rows: PlannedRow[];
  isFullPush: boolean;
  strategy?: Strategy | undefined;
  control?: RolloutControl | undefined;
  previousVersion?: number | null;
  /** The version the whole target set runs once this rollout is recorded (a rollback's). */
  pushedVersion?: number | null;
};

const SUPERSEDED_BY_DELETE = "superseded: the configuration is being deleted";

/**
 * Records a rollout and its rows, as the newest intent for its clusters, in one transaction:
 * pending rows of earlier unfinished rollouts of the configuration for the same clusters (every
 * cluster, for a deletion) are marked superseded, so they never apply; rows already applying
 * finish, and the coordinator (run.ts) starts this rollout only once the earlier ones are done.
 * While a deletion is unfinished nothing else is recorded (undefined); a second deletion joins it.
 */
export function insertRollout({ configurationId, version, trigger, actor, rows, isFullPush, strategy, control, previousVersion, pushedVersion }: NewRollout): string | undefined {
  const id = crypto.randomUUID();
  const now = new Date();
  // Immediate, as it reads and then writes (see updateControl in run.ts): another process may write in between.
  return getDb().transaction((tx) => {
    const earlier = tx
      .select({ id: rollouts.id, trigger: rollouts.trigger })
      .from(rollouts)
      .where(and(eq(rollouts.configurationId, configurationId), inArray(rollouts.state, [...UNFINISHED_ROLLOUT_STATES])))
      .all();
    const deleting = earlier.find((rollout) => rollout.trigger === "delete");
    if (deleting) return trigger === "delete" ? deleting.id : undefined;
    // Inside the write transaction, so two rollouts can never draw the same number.
    const sequence = (tx.select({ last: max(rollouts.sequence) }).from(rollouts).get()?.last ?? 0) + 1;
    const state = earlier.length > 0 ? "queued" : "running";
    tx.insert(rollouts)
      .values({ id, sequence, configurationId, version, trigger, state, createdBy: actor.email, actor, createdAt: now, strategy: strategy ?? null, control: control ?? singleWave(rows.map((row) => row.clusterId)), previousVersion: previousVersion ?? null })
      .run();
    if (earlier.length > 0) {
      const earlierIds = earlier.map((rollout) => rollout.id);
      const superseded = { state: "superseded" as const, reason: trigger === "delete" ? SUPERSEDED_BY_DELETE : `superseded by version ${version} (a later rollout of this configuration)`, finishedAt: now };
      const pendingOf = and(inArray(rolloutClusters.rolloutId, earlierIds), eq(rolloutClusters.state, "pending"));
      if (trigger === "delete") tx.update(rolloutClusters).set(superseded).where(pendingOf).run();
      for (let start = 0; trigger !== "delete" && start < rows.length; start += INSERT_CHUNK) {
        const clusterIds = rows.slice(start, start + INSERT_CHUNK).map((row) => row.clusterId);
        tx.update(rolloutClusters).set(superseded).where(and(pendingOf, inArray(rolloutClusters.clusterId, clusterIds))).run();
      }
    }
    // In chunks: one statement for thousands of rows would pass SQLite's bound-parameter limit.
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const chunk = rows.slice(start, start + INSERT_CHUNK);
      tx.insert(rolloutClusters).values(chunk.map((row) => ({ rolloutId: id, clusterId: row.clusterId, action: row.action, state: "pending" as const, wave: row.wave ?? 0 }))).run();
    }
    for (const row of rows) {
      if (row.action !== "apply" || !row.reason) continue;
      tx.insert(configurationTargets)
        .values({ configurationId, clusterId: row.clusterId, reason: row.reason, resolvedAt: now })
        .onConflictDoUpdate({ target: [configurationTargets.configurationId, configurationTargets.clusterId], set: { reason: row.reason, resolvedAt: now } })
        .run();
    }
    // The version the whole target set now runs: clusters that start matching later get this one.
    const nowPushed = isFullPush ? version : pushedVersion;
    if (nowPushed !== undefined) tx.update(configurations).set({ pushedVersion: nowPushed }).where(eq(configurations.id, configurationId)).run();
    return id;
  }, { behavior: "immediate" });
}

/**
 * Puts each row in its wave (removals from clusters no longer targeted go with the first wave)
 * and returns the rollout's starting control.
 */
function assignWaves(strategy: Strategy, rows: PlannedRow[]): RolloutControl {
  const applying = rows.filter((row) => row.action === "apply").map((row) => row.clusterId);
  const known = new Map<string, { name: string; labels: Record<string, string> }>();
  for (let start = 0; start < applying.length; start += INSERT_CHUNK) {
    const chunk = applying.slice(start, start + INSERT_CHUNK);
    for (const c of getDb().select({ id: clusters.id, name: clusters.name, labels: clusters.labels }).from(clusters).where(inArray(clusters.id, chunk)).all()) known.set(c.id, c);
  }
  const plan = planWaves(strategy, [...known].map(([clusterId, c]) => ({ clusterId, name: c.name, labels: c.labels })));
  const waveOf = new Map(plan.flatMap((wave) => wave.clusterIds.map((id) => [id, wave.index] as const)));
  for (const row of rows) row.wave = waveOf.get(row.clusterId) ?? 0;
  return initialControl(plan);
}

/**
 * Plans a push of one version: resolves the targets now (the selector against the current
 * labels), records the rollout and a pending row per cluster in one transaction, and returns
 * at once. A full push also schedules removal from clusters that were targets and no longer
 * are. The work itself is runRollout(id), which the caller starts without awaiting it.
 */
export function startRollout(configurationId: string, version: number, options: StartRolloutOptions): StartRolloutResult {
  const configuration = liveConfiguration(configurationId);
  const detail = configuration && getVersion(configurationId, version);
  if (!configuration || !detail) return { status: "not-found" };
  const resolved = new Map(resolveTargets(detail.spec.targets).map((target) => [target.clusterId, target.reason]));
  const rows: PlannedRow[] = [];
  if (options.clusterIds) {
    const parsed = pushClusterIdsSchema.safeParse(options.clusterIds);
    if (!parsed.success) return invalidResult(Object.fromEntries(Object.entries(formatZodErrors(parsed.error)).map(([k, v]) => [k ? `clusterIds.${k}` : "clusterIds", v])));
    const fieldErrors: Record<string, string> = {};
    for (const [index, clusterId] of parsed.data.entries()) {
      const reason = resolved.get(clusterId);
      if (reason) rows.push({ clusterId, action: "apply", reason });
      else fieldErrors[`clusterIds.${index}`] = "is not a target of this version (neither listed nor matched by its selector)";
    }
    if (Object.keys(fieldErrors).length > 0) return invalidResult(fieldErrors);
  } else {
    for (const [clusterId, reason] of resolved) rows.push({ clusterId, action: "apply", reason });
    for (const target of currentTargets(configurationId)) {
      if (!resolved.has(target.clusterId)) rows.push({ clusterId: target.clusterId, action: "remove" });
    }
  }
  const trigger = options.trigger ?? "push";
  const isFullPush = options.clusterIds === undefined;
  // Waves are for pushes of the whole target set; a retry of some clusters and a removal go at once.
  const strategy = isFullPush && trigger === "push" ? detail.spec.strategy : undefined;
  const control = strategy ? assignWaves(strategy, rows) : undefined;
  const rolloutId = insertRollout({ configurationId, version, trigger, actor: options.actor, rows, isFullPush, strategy, control, previousVersion: configuration.pushedVersion });
  // Being deleted: no new version may land after the removal.
  if (rolloutId === undefined) return { status: "not-found" };
  return { status: "ok", rolloutId, clusterCount: rows.length };
}

/**
 * A rollout that removes the configuration's objects from these clusters (target change or
 * deletion). A deletion may have no clusters (the objects are left on them): it still queues
 * behind running pushes, and marks the configuration deleted when it finishes (run.ts).
 */
export function startRemoval(configurationId: string, clusterIds: readonly string[], options: { actor: AuditActor; trigger: RolloutTrigger }): string | undefined {
  const configuration = getDb().select().from(configurations).where(eq(configurations.id, configurationId)).get();
  if (!configuration) return undefined;
  const version = configuration.pushedVersion ?? configuration.currentVersion;
  const rows = clusterIds.map((clusterId) => ({ clusterId, action: "remove" as const }));
  return insertRollout({ configurationId, version, trigger: options.trigger, actor: options.actor, rows, isFullPush: false });
}

export type RolloutCounts = Record<RolloutClusterState, number> & { total: number };

export type RolloutClusterProgress = Pick<
  RolloutCluster,
  "clusterId" | "action" | "state" | "reason" | "conflicts" | "attempts" | "startedAt" | "finishedAt" | "objects" | "pruned" | "wave"
> & {
  clusterName: string;
  /** What the observation loop last read for the configuration on the cluster (the gate reads the same). */
  compliance: ComplianceState | null;
  /** Why the cluster is in that state, as the observation loop read it. */
  complianceReason: string | null;
  appliedVersion: number | null;
};

export type RolloutProgress = PublicRollout & {
  configurationName: string;
  counts: RolloutCounts;
  clusters: RolloutClusterProgress[];
};

type PublicRollout = Pick<Rollout, "id" | "configurationId" | "version" | "trigger" | "state" | "createdBy" | "createdAt" | "finishedAt" | "windowOverride" | "strategy" | "previousVersion"> & {
  control: RolloutControl;
};

/** The stored control, or (a rollout recorded before waves existed) one wave of every row. */
export function controlOf(rollout: Pick<Rollout, "control">): RolloutControl {
  return rollout.control ?? singleWave([]);
}

/** The rollout as the UI sees it: the stored actor (with its IP address) stays on the server. */
function publicFields(rollout: Rollout): PublicRollout {
  const { id, configurationId, version, trigger, state, createdBy, createdAt, finishedAt, windowOverride, strategy, previousVersion } = rollout;
  return { id, configurationId, version, trigger, state, createdBy, createdAt, finishedAt, windowOverride, strategy, previousVersion, control: controlOf(rollout) };
}

export function countStates(states: readonly { state: RolloutClusterState; n: number }[]): RolloutCounts {
  const counts = Object.fromEntries(ROLLOUT_CLUSTER_STATES.map((state) => [state, 0])) as Record<RolloutClusterState, number>;
  let total = 0;
  for (const { state, n } of states) {
    counts[state] += n;
    total += n;
  }
  return { ...counts, total };
}

/** What the push page polls: the rollout, counts per state, and one row per cluster (failures first). */
export function getRolloutProgress(rolloutId: string): RolloutProgress | undefined {
  const db = getDb();
  const rollout = db.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
  if (!rollout) return undefined;
  const configuration = db.select({ name: configurations.name }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get();
  const rows = db
    .select({
      clusterId: rolloutClusters.clusterId,
      clusterName: clusters.name,
      action: rolloutClusters.action,
      state: rolloutClusters.state,
      reason: rolloutClusters.reason,
      conflicts: rolloutClusters.conflicts,
      attempts: rolloutClusters.attempts,
      startedAt: rolloutClusters.startedAt,
      finishedAt: rolloutClusters.finishedAt,
      objects: rolloutClusters.objects,
      pruned: rolloutClusters.pruned,
      wave: rolloutClusters.wave,
      compliance: configurationStatus.state,
      complianceReason: configurationStatus.reason,
      appliedVersion: configurationStatus.appliedVersion,
    })
    .from(rolloutClusters)
    .innerJoin(clusters, eq(clusters.id, rolloutClusters.clusterId))
    .leftJoin(configurationStatus, and(eq(configurationStatus.configurationId, rollout.configurationId), eq(configurationStatus.clusterId, rolloutClusters.clusterId)))
    .where(eq(rolloutClusters.rolloutId, rolloutId))
    .orderBy(asc(clusters.name))
    .all();
  const rank = (state: RolloutClusterState) => (state === "failed" ? 0 : state === "interrupted" || state === "superseded" ? 1 : 2);
  rows.sort((a, b) => rank(a.state) - rank(b.state));
  return {
    ...publicFields(rollout),
    configurationName: configuration?.name ?? "",
    counts: countStates(rows.map((row) => ({ state: row.state, n: 1 }))),
    clusters: rows,
  };
}

export type RolloutSummary = Omit<RolloutProgress, "clusters" | "configurationName">;

/** A configuration's rollouts, newest first, with counts per state. */
export function listRollouts(configurationId: string, limit = 20): RolloutSummary[] {
  const db = getDb();
  const list = db.select().from(rollouts).where(eq(rollouts.configurationId, configurationId)).orderBy(desc(rollouts.sequence)).limit(limit).all();
  if (list.length === 0) return [];
  const states = db
    .select({ rolloutId: rolloutClusters.rolloutId, state: rolloutClusters.state, n: count() })
    .from(rolloutClusters)
    .where(inArray(rolloutClusters.rolloutId, list.map((r) => r.id)))
    .groupBy(rolloutClusters.rolloutId, rolloutClusters.state)
    .all();
  return list.map((rollout) => ({ ...publicFields(rollout), counts: countStates(states.filter((s) => s.rolloutId === rollout.id)) }));
}
