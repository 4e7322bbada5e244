import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { configurations, rolloutClusters, rollouts, UNFINISHED_ROLLOUT_STATES, type Rollout } from "@/db/schema-configurations";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { getVersion } from "@/lib/configurations/store";
import { resolveTargets } from "@/lib/configurations/targets";
import { insertRollout } from "./rollouts";
import { runRollout, updateControl, wakeHeldRollouts } from "./run";
import { singleWave, waveSettings, type RolloutControl } from "./waves";

/*
 * What an operator does to a running rollout: pause, resume (which also retries the failed
 * clusters of a halted wave), approve the next wave, skip a cluster, abort, and abort with
 * rollback. Each is audited and wakes the coordinator, which reads the rollout's control before
 * every row and on every look at a gate, so the change takes effect within one poll.
 */

export type ControlResult = { status: "ok"; message: string; rolloutId?: string } | { status: "refused"; message: string } | { status: "not-found" };

export const CONTROL_VERBS = ["pause", "resume", "approve", "skip", "abort", "abort-rollback"] as const;
export type ControlVerb = (typeof CONTROL_VERBS)[number];

function unfinished(rolloutId: string): Rollout | undefined {
  const rollout = getDb().select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
  return rollout && (UNFINISHED_ROLLOUT_STATES as readonly string[]).includes(rollout.state) ? rollout : undefined;
}

function audit(actor: AuditActor, verb: string, rollout: Rollout, details: Record<string, unknown> = {}, outcome: "success" | "denied" = "success") {
  recordAudit({ actor, action: `rollout.${verb}`, targetType: "configuration", targetId: rollout.configurationId, outcome, details: { rolloutId: rollout.id, version: rollout.version, ...details } });
}

const waveName = (control: RolloutControl, index = control.current) => control.waves[index]?.name ?? `wave ${index + 1}`;

export function pauseRollout(rolloutId: string, actor: AuditActor): ControlResult {
  const rollout = unfinished(rolloutId);
  if (!rollout) return { status: "refused", message: "That rollout has already finished." };
  if (rollout.control?.paused) return { status: "refused", message: `Already paused by ${rollout.control.paused.by}.` };
  updateControl(rolloutId, (c) => ({ ...c, paused: { by: actor.email, at: new Date().toISOString() } }));
  audit(actor, "pause", rollout);
  wakeHeldRollouts(rollout.configurationId);
  return { status: "ok", message: "Paused: clusters being applied finish, no new cluster starts." };
}

/** Resumes a paused rollout; on a halted wave also retries its failed clusters. */
export function resumeRollout(rolloutId: string, actor: AuditActor): ControlResult {
  const rollout = unfinished(rolloutId);
  if (!rollout) return { status: "refused", message: "That rollout has already finished." };
  const control = rollout.control;
  const halted = control?.phase === "halted";
  if (!control?.paused && !halted) return { status: "refused", message: "The rollout is neither paused nor halted." };
  const retried = halted
    ? getDb()
        .update(rolloutClusters)
        .set({ state: "pending", reason: `retried by ${actor.email}`, finishedAt: null })
        .where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.wave, control.current), inArray(rolloutClusters.state, ["failed", "interrupted"])))
        .run().changes
    : 0;
  // A retried wave applies again before its gate looks again (the gate sees the pending rows).
  updateControl(rolloutId, (c) => ({ ...c, paused: null, ...(retried > 0 ? { phase: "applying" as const, gate: null } : {}) }));
  audit(actor, "resume", rollout, { retried });
  wakeHeldRollouts(rollout.configurationId);
  return { status: "ok", message: retried > 0 ? `Resumed: retrying ${retried} failed cluster${retried === 1 ? "" : "s"} of ${waveName(control)}.` : "Resumed." };
}

export function approveWave(rolloutId: string, actor: AuditActor): ControlResult {
  const rollout = unfinished(rolloutId);
  const control = rollout?.control;
  if (!rollout || !control || !rollout.strategy) return { status: "refused", message: "That rollout has no wave waiting for approval." };
  if (control.phase !== "approval") return { status: "refused", message: `${waveName(control)} is not waiting for approval (${control.phase}).` };
  const wave = waveSettings(rollout.strategy, control.current);
  if (wave.approval === "second-person" && rollout.createdBy === actor.email) {
    audit(actor, "approve", rollout, { wave: waveName(control), refused: "the person who pushed may not approve" }, "denied");
    return { status: "refused", message: `${waveName(control)} needs a second person: the one who pushed (${rollout.createdBy}) may not approve it.` };
  }
  updateControl(rolloutId, (c) => ({ ...c, approvals: [...c.approvals, { wave: c.current, by: actor.email, at: new Date().toISOString() }] }));
  audit(actor, "approve", rollout, { wave: waveName(control), next: waveName(control, control.current + 1) });
  wakeHeldRollouts(rollout.configurationId);
  return { status: "ok", message: `Approved: ${waveName(control, control.current + 1)} starts.` };
}

/** Takes one cluster out of the rollout: not applied if it was not yet, and no longer counted by the gate. */
export function skipCluster(rolloutId: string, clusterId: string, actor: AuditActor): ControlResult {
  const rollout = unfinished(rolloutId);
  if (!rollout) return { status: "refused", message: "That rollout has already finished." };
  const db = getDb();
  const row = db.select().from(rolloutClusters).where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.clusterId, clusterId))).get();
  if (!row) return { status: "not-found" };
  if (row.state === "applying") return { status: "refused", message: "The cluster is being applied right now; skip it once that has finished." };
  if (!["pending", "failed", "interrupted", "applied"].includes(row.state)) return { status: "refused", message: `The cluster is already ${row.state}.` };
  const name = db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId)).get()?.name ?? clusterId;
  const note = row.state === "applied" ? ` (v${rollout.version} was applied; the gate no longer waits for it)` : row.state === "pending" ? "" : ` (after the push ${row.state})`;
  db.update(rolloutClusters)
    .set({ state: "skipped", reason: `skipped by ${actor.email}${note}`, finishedAt: new Date() })
    .where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.clusterId, clusterId)))
    .run();
  audit(actor, "skip", rollout, { cluster: name, was: row.state });
  wakeHeldRollouts(rollout.configurationId);
  return { status: "ok", message: `${name} skipped.` };
}

/**
 * Stops the rollout: rows not yet applied never apply (marked aborted); rows being applied
 * finish. With rollback, the clusters that got the new version go back to the version the
 * target set ran before (or lose the objects, if there was none), through the same queue.
 */
export function abortRollout(rolloutId: string, actor: AuditActor, { rollback }: { rollback: boolean }): ControlResult {
  const rollout = unfinished(rolloutId);
  if (!rollout) return { status: "refused", message: "That rollout has already finished." };
  if (rollout.control?.aborted) return { status: "refused", message: `Already aborted by ${rollout.control.aborted.by}.` };
  const db = getDb();
  const now = new Date();
  const aborted = db
    .update(rolloutClusters)
    .set({ state: "aborted", reason: `aborted by ${actor.email}`, finishedAt: now })
    .where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.state, "pending")))
    .run().changes;
  updateControl(rolloutId, (c) => ({ ...c, aborted: { by: actor.email, at: now.toISOString(), rollback } }));
  let rollbackId: string | undefined;
  if (rollback) rollbackId = startRollback(rollout, actor);
  audit(actor, rollback ? "abort-rollback" : "abort", rollout, { notApplied: aborted, ...(rollbackId ? { rollbackRolloutId: rollbackId } : {}) });
  wakeHeldRollouts(rollout.configurationId);
  if (rollbackId) void runRollout(rollbackId);
  const back = rollout.previousVersion === null ? "the objects are removed from" : `v${rollout.previousVersion} goes back to`;
  return {
    status: "ok",
    message: rollback ? `Aborted; ${back} the clusters that got v${rollout.version}.` : `Aborted: ${aborted} cluster${aborted === 1 ? "" : "s"} will not get v${rollout.version}.`,
    ...(rollbackId ? { rolloutId: rollbackId } : {}),
  };
}

/** A rollout of the previous version to the clusters this one reached (applied or being applied). */
function startRollback(rollout: Rollout, actor: AuditActor): string | undefined {
  const db = getDb();
  const reached = db
    .select({ clusterId: rolloutClusters.clusterId })
    .from(rolloutClusters)
    .where(and(eq(rolloutClusters.rolloutId, rollout.id), eq(rolloutClusters.action, "apply"), inArray(rolloutClusters.state, ["applied", "applying", "failed"])))
    .all()
    .map((row) => row.clusterId);
  const previous = rollout.previousVersion === null ? undefined : getVersion(rollout.configurationId, rollout.previousVersion);
  const targets = new Map(previous ? resolveTargets(previous.spec.targets).map((t) => [t.clusterId, t.reason]) : []);
  const rows = reached.map((clusterId) => {
    const reason = targets.get(clusterId);
    return reason ? { clusterId, action: "apply" as const, reason } : { clusterId, action: "remove" as const };
  });
  const configuration = db.select({ id: configurations.id }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get();
  if (!configuration) return undefined;
  return insertRollout({
    configurationId: rollout.configurationId,
    version: previous?.version ?? rollout.version,
    trigger: "rollback",
    actor,
    rows,
    isFullPush: false,
    control: singleWave(reached),
    previousVersion: rollout.version,
    pushedVersion: previous?.version ?? null,
  });
}

/** One verb on a rollout, as the rollout page's buttons and `POST /api/v1/rollouts/{id}/{action}` name it. */
export function controlRollout(verb: ControlVerb, rolloutId: string, actor: AuditActor, clusterId = ""): ControlResult {
  switch (verb) {
    case "pause":
      return pauseRollout(rolloutId, actor);
    case "resume":
      return resumeRollout(rolloutId, actor);
    case "approve":
      return approveWave(rolloutId, actor);
    case "skip":
      return skipCluster(rolloutId, clusterId, actor);
    case "abort":
    case "abort-rollback":
      return abortRollout(rolloutId, actor, { rollback: verb === "abort-rollback" });
  }
}

export const isControlVerb = (value: unknown): value is ControlVerb => (CONTROL_VERBS as readonly unknown[]).includes(value);
