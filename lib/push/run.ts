import "server-only";
import crypto from "node:crypto";
import { and, asc, desc, eq, gt, inArray, lt, notInArray } from "drizzle-orm";
import { getDb } from "@/db";
import { backgroundWrite } from "@/db/busy";
import type { Cluster, Reconciler } from "@/db/schema";
import { clusters } from "@/db/schema";
import {
  configurations,
  configurationTargets,
  rolloutClusters,
  rollouts,
  UNFINISHED_ROLLOUT_STATES,
  type Rollout,
  type RolloutCluster,
  type RolloutClusterState,
} from "@/db/schema-configurations";
import { recordAudit } from "@/lib/audit";
import { getVersion } from "@/lib/configurations/store";
import { renderKeysFor, toRenderCredential } from "@/lib/credentials/store";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { removeManagedObjects } from "@/lib/inventory/cleanup";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { withRetry } from "@/lib/k8s/client";
import { errorMessage, log } from "@/lib/log";
import { insertEvents, rolloutChange } from "@/lib/notify/emit";
import type { NotificationEvent } from "@/lib/notify/vocabulary";
import { applyObjects, ObjectFailure, pruneDropped, type ClusterStep } from "./apply";
import { describeFailure, onCluster, PushRefused, pushSettings, type PushSettings } from "./cluster-run";
import { detectReconciler, loadCluster, NO_RECONCILER } from "@/lib/reconcilers";
import { RECONCILER_NAMES, renderFor } from "@/lib/reconcilers/render";
import { clusterFacts } from "@/lib/reconcilers/cluster-facts";
import { clusterRenderKey } from "@/lib/reconcilers/cluster-values";
import type { RenderCredential, RenderKey } from "@/lib/reconcilers/flux/types";
import { UnresolvedVariableError } from "@/lib/validation/cluster-variables";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { windowVerdict } from "@/lib/windows/evaluate";
import { listWindows } from "@/lib/windows/store";
import { releaseLease, takeLease } from "@/lib/server/leases";
import { replicaId } from "@/lib/server/replicas";
import { controlOf, getRolloutProgress, type RolloutProgress } from "./rollouts";
import { singleWave, waveSettings, withinFailureBudget, type GateCluster, type RolloutControl, type Wave } from "./waves";
import { configurationStatus } from "@/db/schema-status";
import { env } from "@/lib/env";

/*
 * The coordinator. Rollouts are recorded in the database (rollouts.ts) as the newest intent for
 * their clusters; here one drain per configuration runs that configuration's unfinished rollouts
 * one at a time, oldest first, so two rollouts of one configuration never apply side by side.
 * The queue is the database: a restart finds the same unfinished rollouts in the same order.
 */
// On globalThis: Next loads this module once for server actions and once more for the background
// work (instrumentation), and both must see one set of drains in the process. Module-level maps
// let the rollout resumer start a second drain of a configuration an action's drain was running
// (its lease was this replica's own), and the two fought over the gate (e2e 16-waves).
const globalForCoordinator = globalThis as unknown as {
  fleetlineDrains?: Map<string, Promise<void>>;
  fleetlineRolloutWaiters?: Map<string, ((progress: RolloutProgress | undefined) => void)[]>;
  fleetlineRequestedSettings?: Map<string, Partial<PushSettings>>;
  fleetlineRolloutWakers?: Map<string, () => void>;
  fleetlineRolloutWakes?: Map<string, number>;
};
const drains = (globalForCoordinator.fleetlineDrains ??= new Map<string, Promise<void>>());
// Callers awaiting a rollout's end, and settings a caller asked for (tests, benchmarks), by rollout id.
const waiters = (globalForCoordinator.fleetlineRolloutWaiters ??= new Map<string, ((progress: RolloutProgress | undefined) => void)[]>());
const requestedSettings = (globalForCoordinator.fleetlineRequestedSettings ??= new Map<string, Partial<PushSettings>>());

type Work = { objects: string[]; pruned: string[] };
/** The rendered objects, or why the version could not be rendered for that reconciler. */
type Rendered = RenderedObject[] | string;
type RenderVersion = (reconciler: Reconciler, cluster: Cluster) => Rendered;

function updateRow(row: Pick<RolloutCluster, "rolloutId" | "clusterId">, values: Partial<RolloutCluster>): void {
  getDb()
    .update(rolloutClusters)
    .set(values)
    .where(and(eq(rolloutClusters.rolloutId, row.rolloutId), eq(rolloutClusters.clusterId, row.clusterId)))
    .run();
}

/**
 * Renders the version for one cluster with its reconciler and its own values (variables,
 * overrides). The version is read and the credential decrypted once per rollout; clusters
 * whose values are alike share one render. A variable a cluster cannot resolve fails that
 * cluster's render only, naming the variable and the cluster.
 */
function versionRenderer(rollout: Rollout): RenderVersion {
  let loaded: { spec: ConfigurationSpec; credential: RenderCredential | undefined; keys: Record<string, RenderKey> } | string | undefined;
  const cache = new Map<string, Rendered>();
  return (reconciler, cluster) => {
    if (loaded === undefined) {
      const version = getVersion(rollout.configurationId, rollout.version);
      if (!version) loaded = `version ${rollout.version} no longer exists`;
      else {
        try {
          const { spec } = version;
          loaded = { spec, credential: spec.source.credentialId === undefined ? undefined : toRenderCredential(spec.source.credentialId, spec.source), keys: renderKeysFor(spec) };
        } catch (error) {
          loaded = `could not render version ${rollout.version}: ${describeFailure(error, { rolloutId: rollout.id })}`;
        }
      }
    }
    if (typeof loaded === "string") return loaded;
    const { spec, credential, keys } = loaded;
    const facts = clusterFacts(cluster, reconciler);
    const key = `${reconciler}\u0000${clusterRenderKey(spec, facts)}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let rendered: Rendered;
    try {
      rendered = renderFor(reconciler, { spec, version: rollout.version, configurationId: rollout.configurationId, cluster: facts, keys, ...(credential ? { credential } : {}) });
    } catch (error) {
      rendered =
        error instanceof UnresolvedVariableError
          ? `could not render version ${rollout.version}: ${error.message}`
          : `could not render version ${rollout.version} for ${RECONCILER_NAMES[reconciler]}: ${describeFailure(error, { rolloutId: rollout.id })}`;
    }
    cache.set(key, rendered);
    return rendered;
  };
}

/** For a cluster whose reconciler the inventory does not know yet: ask the cluster, then render for what it runs. */
async function objectsFor(step: ClusterStep, cluster: Cluster, renderVersion: RenderVersion): Promise<RenderedObject[]> {
  const reconciler = await detectReconciler(step);
  if (!reconciler) throw new PushRefused(NO_RECONCILER);
  const rendered = renderVersion(reconciler, cluster);
  if (typeof rendered === "string") throw new PushRefused(rendered);
  return rendered;
}

async function applyVersion(step: ClusterStep, name: string, objects: readonly RenderedObject[], known: readonly string[] | undefined): Promise<Work> {
  const applied = await applyObjects(step, objects);
  // Only once everything applied: a half-applied version must not also lose its predecessor's objects.
  try {
    return { objects: applied, pruned: await pruneDropped(step, name, objects, known) };
  } catch (error) {
    throw error instanceof ObjectFailure ? new ObjectFailure(error.object, error.error, applied) : error;
  }
}

async function removeAll(step: ClusterStep, name: string, configurationId: string): Promise<Work> {
  // Listing and deleting by label is idempotent, so a retry after a 5xx simply starts over.
  const { deleted } = await withRetry(() => {
    step.deadline.check();
    return removeManagedObjects(step.client, name, configurationId);
  }, step.retry);
  return { objects: deleted, pruned: [] };
}

/**
 * Why this row must not apply any more, or undefined: a later rollout of the configuration has
 * a row for the same cluster, or the configuration is being (or was) deleted. Checked right
 * before the row applies, not once for the whole rollout (runRow has already left alone a row
 * marked superseded, skipped or aborted meanwhile).
 */
function supersededReason(rollout: Rollout, row: RolloutCluster): string | undefined {
  const db = getDb();
  const newer = db
    .select({ version: rollouts.version, trigger: rollouts.trigger })
    .from(rolloutClusters)
    .innerJoin(rollouts, eq(rollouts.id, rolloutClusters.rolloutId))
    .where(and(eq(rollouts.configurationId, rollout.configurationId), gt(rollouts.sequence, rollout.sequence), eq(rolloutClusters.clusterId, row.clusterId)))
    .orderBy(desc(rollouts.sequence))
    .limit(1)
    .get();
  if (newer) return newer.trigger === "delete" ? "superseded: the configuration is being deleted" : `superseded by version ${newer.version} (a later rollout of this configuration)`;
  if (rollout.trigger !== "delete" && row.action === "apply") {
    const deletion = db
      .select({ id: rollouts.id })
      .from(rollouts)
      .where(and(eq(rollouts.configurationId, rollout.configurationId), gt(rollouts.sequence, rollout.sequence), eq(rollouts.trigger, "delete")))
      .get();
    const configuration = db.select({ deletedAt: configurations.deletedAt }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get();
    if (deletion || !configuration || configuration.deletedAt !== null) return "superseded: the configuration is being deleted";
  }
  return undefined;
}

async function runRow(rollout: Rollout, name: string, row: RolloutCluster, renderVersion: RenderVersion, settings: PushSettings): Promise<void> {
  // An operator paused the rollout, aborted it or skipped this cluster since the wave started, or
  // a later rollout marked the row superseded: it stays as it is.
  const latest = readRollout(rollout.id);
  if (latest && (controlOf(latest).paused || controlOf(latest).aborted)) return;
  const now = getDb().select({ state: rolloutClusters.state }).from(rolloutClusters).where(and(eq(rolloutClusters.rolloutId, row.rolloutId), eq(rolloutClusters.clusterId, row.clusterId))).get();
  if (now && now.state !== "pending" && now.state !== "applying") return;
  const superseded = supersededReason(rollout, row);
  if (superseded) {
    updateRow(row, { state: "superseded", reason: superseded, finishedAt: new Date() });
    return;
  }
  updateRow(row, { state: "applying", attempts: row.attempts + 1, startedAt: new Date(), finishedAt: null, reason: null, conflicts: [], objects: [], pruned: [] });
  // A deleted cluster takes its rows with it (cascade): nothing left to record.
  const loaded = loadCluster(row.clusterId);
  if (!loaded) return;
  const { cluster, reconciler } = loaded;
  // Removal deletes by label whatever the reconciler; applying renders for the cluster's own.
  const known = row.action === "apply" && reconciler ? renderVersion(reconciler, cluster) : undefined;
  if (typeof known === "string") {
    updateRow(row, { state: "failed", reason: known, finishedAt: new Date() });
    return;
  }
  try {
    const work = await onCluster(cluster, settings, async (step) => {
      if (row.action === "remove") return removeAll(step, name, rollout.configurationId);
      return applyVersion(step, name, known ?? (await objectsFor(step, cluster, renderVersion)), lastKnownObjects(rollout, row.clusterId));
    });
    updateRow(row, { state: row.action === "apply" ? "applied" : "removed", finishedAt: new Date(), objects: work.objects, pruned: work.pruned });
    // A cluster leaves the target set only once its objects are gone, so a failed removal is retried
    // later; and not when a later rollout wants it back meanwhile (a quick relabel back into the selector).
    if (row.action === "remove" && !supersededReason(rollout, row)) {
      getDb()
        .delete(configurationTargets)
        .where(and(eq(configurationTargets.configurationId, rollout.configurationId), eq(configurationTargets.clusterId, row.clusterId)))
        .run();
    }
  } catch (error) {
    const reason = describeFailure(error, { rolloutId: rollout.id, clusterId: row.clusterId });
    const failure = error instanceof ObjectFailure ? error : undefined;
    updateRow(row, { state: "failed", reason, conflicts: failure?.conflicts ?? [], objects: [...(failure?.applied ?? [])], finishedAt: new Date() });
    log.warn("push: cluster failed", { rolloutId: rollout.id, configuration: name, cluster: cluster.name, reason });
  }
}

/**
 * What the cluster holds of the configuration, when the last row that reached it says so for
 * certain: applied (every object applied, its prune done) or removed (nothing left). A failed or
 * interrupted row, or none (a first push, or history pruned by retention): undefined, and the
 * prune lists the cluster. Rows that never reached the cluster (superseded, skipped, aborted)
 * are looked past. The coordinator runs one rollout of a configuration at a time, so no other
 * row of it changes the cluster meanwhile.
 */
function lastKnownObjects(rollout: Rollout, clusterId: string): string[] | undefined {
  const last = getDb()
    .select({ state: rolloutClusters.state, objects: rolloutClusters.objects })
    .from(rolloutClusters)
    .innerJoin(rollouts, eq(rollouts.id, rolloutClusters.rolloutId))
    .where(and(eq(rollouts.configurationId, rollout.configurationId), eq(rolloutClusters.clusterId, clusterId), lt(rollouts.sequence, rollout.sequence), inArray(rolloutClusters.state, ["applied", "removed", "failed", "interrupted", "applying"])))
    .orderBy(desc(rollouts.sequence))
    .limit(1)
    .get();
  if (last?.state === "removed") return [];
  return last?.state === "applied" ? last.objects : undefined;
}

/** Into the notification outbox; a failure to record it never stops the rollout. */
function notifyRollout(rollout: Rollout, type: NotificationEvent, detail: string, name?: string): void {
  try {
    const configurationName = name ?? getDb().select({ name: configurations.name }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get()?.name ?? "";
    insertEvents(getDb(), [rolloutChange(rollout, configurationName, type, detail)]);
  } catch (error) {
    log.warn("push: notification event not recorded", { rolloutId: rollout.id, error: errorMessage(error) });
  }
}

function finish(rollout: Rollout, name: string): RolloutProgress | undefined {
  const progress = getRolloutProgress(rollout.id);
  if (!progress) return undefined;
  const latest = readRollout(rollout.id) ?? rollout;
  const control = controlOf(latest);
  const state = control.aborted ? "aborted" : progress.counts.interrupted > 0 ? "interrupted" : "done";
  const db = getDb();
  db.transaction((tx) => {
    // Rows of waves that never started: a newer push took their clusters over, or an operator aborted.
    tx.update(rolloutClusters)
      .set(control.aborted ? { state: "aborted", reason: `aborted by ${control.aborted.by}`, finishedAt: new Date() } : { state: "superseded", reason: "superseded by a later rollout of this configuration before its wave started", finishedAt: new Date() })
      .where(and(eq(rolloutClusters.rolloutId, rollout.id), eq(rolloutClusters.state, "pending")))
      .run();
    tx.update(rollouts).set({ state, finishedAt: new Date(), control: { ...control, phase: "finished" } }).where(eq(rollouts.id, rollout.id)).run();
    // A deletion ends here, also when a restart finished it: only once every cluster is clean
    // (a failed removal keeps the configuration, so nothing is orphaned without the user choosing it).
    if (rollout.trigger === "delete" && progress.counts.failed === 0 && progress.counts.interrupted === 0) {
      tx.update(configurations).set({ deletedAt: new Date(), updatedAt: new Date() }).where(eq(configurations.id, rollout.configurationId)).run();
      tx.delete(configurationTargets).where(eq(configurationTargets.configurationId, rollout.configurationId)).run();
    }
  });
  const { applied, removed, failed, interrupted, total } = progress.counts;
  if (!control.aborted) notifyRollout(rollout, failed > 0 ? "rollout.failed" : "rollout.finished", `version ${rollout.version}: ${applied} applied, ${removed} removed, ${failed} failed, ${interrupted} interrupted of ${total}`, name);
  recordAudit({
    actor: rollout.actor,
    action: "configuration.push",
    targetType: "configuration",
    targetId: rollout.configurationId,
    outcome: failed > 0 ? "failed" : "success",
    details: { rolloutId: rollout.id, configuration: name, version: rollout.version, trigger: rollout.trigger, clusters: total, applied, removed, failed, interrupted, ...(control.aborted ? { abortedBy: control.aborted.by } : {}) },
  });
  log.info("push: rollout finished", { rolloutId: rollout.id, configuration: name, version: rollout.version, applied, removed, failed, interrupted });
  return getRolloutProgress(rollout.id);
}

function readRollout(rolloutId: string): Rollout | undefined {
  return getDb().select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
}

/**
 * Changes the rollout's control in one write transaction (operators' actions write it too).
 * Immediate: a read-then-write transaction that starts deferred cannot take the write lock once
 * another process has written meanwhile (SQLITE_BUSY at once, the busy timeout not consulted).
 */
export function updateControl(rolloutId: string, change: (control: RolloutControl) => RolloutControl): RolloutControl | undefined {
  return getDb().transaction(
    (tx) => {
      const rollout = tx.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
      if (!rollout) return undefined;
      const next = change(controlOf(rollout));
      tx.update(rollouts).set({ control: next }).where(eq(rollouts.id, rolloutId)).run();
      return next;
    },
    { behavior: "immediate" },
  );
}

async function execute(rolloutId: string, settings: PushSettings): Promise<RolloutProgress | undefined> {
  const db = getDb();
  const rollout = readRollout(rolloutId);
  if (!rollout || !(UNFINISHED_ROLLOUT_STATES as readonly string[]).includes(rollout.state)) return getRolloutProgress(rolloutId);
  if (rollout.state === "queued") db.update(rollouts).set({ state: "running" }).where(eq(rollouts.id, rolloutId)).run();
  const name = db.select({ name: configurations.name }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get()?.name ?? "";
  const renderVersion = versionRenderer(rollout);
  // Waves one after another: each applies, then (but the last) its gate must pass before the
  // next starts. A restart goes on from the wave and gate state stored on the rollout.
  const waveCount = Math.max(1, controlOf(rollout).waves.length);
  for (let wave = controlOf(rollout).current; wave < waveCount; ) {
    // On a restart the stored wave keeps its phase and gate (the soak goes on from where it was).
    updateControl(rolloutId, (c) => (c.current === wave ? c : { ...c, current: wave, phase: "applying", gate: null }));
    const concurrency = rollout.strategy ? waveSettings(rollout.strategy, wave).concurrency : settings.concurrency;
    if ((await applyWave(rollout, name, wave, concurrency, renderVersion, settings)) === "stopped") break;
    if (!rollout.strategy || wave === waveCount - 1) {
      wave++;
      continue;
    }
    const gate = await gateWave(rollout, wave, waveSettings(rollout.strategy, wave));
    if (gate === "stopped") break;
    // "retry": an operator sent failed clusters of this wave back to pending; they apply again first.
    if (gate === "passed") wave++;
  }
  return finish(rollout, name);
}

/**
 * Applies a wave's rows at its concurrency. Rows a maintenance window holds stay pending,
 * saying why and until when, and the wave waits (a newer rollout, a changed window, an override
 * or an operator wakes it); a paused rollout starts no new row until it is resumed.
 */
async function applyWave(rollout: Rollout, name: string, wave: number, concurrency: number, renderVersion: RenderVersion, settings: PushSettings): Promise<"applied" | "stopped"> {
  for (let pending = unfinishedRows(rollout.id, wave); pending.length > 0; pending = unfinishedRows(rollout.id, wave)) {
    // A wake while the ready rows apply is not lost: the wait returns at once if one came.
    const wakesSeen = wakes.get(rollout.configurationId) ?? 0;
    const current = readRollout(rollout.id) ?? rollout;
    const control = controlOf(current);
    if (control.aborted) return "stopped";
    if (control.paused) {
      await waitForWake(rollout.configurationId, HOLD_RECHECK_MS, wakesSeen);
      continue;
    }
    const { ready, held, until } = holdForWindows(current, pending, new Date());
    await mapWithConcurrency(ready, concurrency, (row) => runRow(current, name, row, renderVersion, settings));
    if (held === 0) continue;
    await waitForWake(rollout.configurationId, windowWaitMs(until), wakesSeen);
  }
  return controlOf(readRollout(rollout.id) ?? rollout).aborted ? "stopped" : "applied";
}

const gatePollMs = () => env().FLEETLINE_GATE_POLL_MS;

/**
 * A wave's gate, read from the status the observation loop writes: every cluster of the wave
 * Compliant on this version (or later), staying so for the soak time, and failures within the
 * wave's budget; then an operator's approval where the wave asks for one. A gate over its
 * failure budget halts the rollout, saying which clusters and why; it keeps looking, so a
 * cluster that recovers (or is retried or skipped) lets it go on. A newer rollout of the
 * configuration ends this one here: the newer one is the intent for the waves not yet applied.
 */
async function gateWave(rollout: Rollout, wave: number, settings: Wave): Promise<"passed" | "stopped" | "retry"> {
  for (;;) {
    const wakesSeen = wakes.get(rollout.configurationId) ?? 0;
    const current = readRollout(rollout.id) ?? rollout;
    const control = controlOf(current);
    if (control.aborted) return "stopped";
    if (unfinishedRows(rollout.id, wave).length > 0) return "retry";
    // A newer push took every cluster of the later waves over: nothing is left for this one to do.
    if (!hasPendingAfter(rollout.id, wave) && hasNewerRollout(current)) return "stopped";
    let waitMs = gatePollMs();
    if (!control.paused) {
      const now = new Date();
      const verdict = evaluateGate(current, wave, settings);
      const passingSince = verdict.passing ? (control.gate?.passingSince ?? now.toISOString()) : null;
      const soakLeftMs = passingSince ? settings.soakSeconds * 1000 - (now.getTime() - Date.parse(passingSince)) : Infinity;
      const approved = settings.approval === "auto" || control.approvals.some((a) => a.wave === wave);
      if (soakLeftMs <= 0 && approved) {
        updateControl(rollout.id, (c) => ({ ...c, current: wave + 1, phase: "applying", gate: null }));
        log.info("push: wave gate passed", { rolloutId: rollout.id, wave, name: control.waves[wave]?.name });
        return "passed";
      }
      const phase = soakLeftMs <= 0 ? "approval" : verdict.halted ? "halted" : "gate";
      const message = soakLeftMs <= 0 ? `${verdict.message}; waiting for ${settings.approval === "second-person" ? "a second person (not the one who pushed)" : "an operator"} to approve the next wave` : verdict.message;
      const gate = { passingSince, message, failing: verdict.failing, waiting: verdict.waiting };
      if (control.phase !== phase || JSON.stringify(control.gate) !== JSON.stringify(gate)) {
        if (phase === "halted" && control.phase !== "halted") log.warn("push: wave gate halted the rollout", { rolloutId: rollout.id, wave, message });
        updateControl(rollout.id, (c) => ({ ...c, phase, gate }));
        if (control.phase !== phase && (phase === "halted" || phase === "approval")) notifyRollout(rollout, phase === "halted" ? "rollout.halted" : "rollout.approval", `wave ${wave + 1}: ${message}`);
      }
      if (Number.isFinite(soakLeftMs) && soakLeftMs > 0) waitMs = Math.min(waitMs, soakLeftMs + 10);
    }
    await waitForWake(rollout.configurationId, control.paused ? HOLD_RECHECK_MS : waitMs, wakesSeen);
  }
}
function unfinishedRows(rolloutId: string, wave?: number): RolloutCluster[] {
  const unfinished = and(eq(rolloutClusters.rolloutId, rolloutId), inArray(rolloutClusters.state, ["pending", "applying"]));
  return getDb()
    .select()
    .from(rolloutClusters)
    .where(wave === undefined ? unfinished : and(unfinished, eq(rolloutClusters.wave, wave)))
    .all();
}

function hasPendingAfter(rolloutId: string, wave: number): boolean {
  const row = getDb()
    .select({ clusterId: rolloutClusters.clusterId })
    .from(rolloutClusters)
    .where(and(eq(rolloutClusters.rolloutId, rolloutId), gt(rolloutClusters.wave, wave), eq(rolloutClusters.state, "pending")))
    .limit(1)
    .get();
  return row !== undefined;
}

function hasNewerRollout(rollout: Rollout): boolean {
  const newer = getDb()
    .select({ id: rollouts.id })
    .from(rollouts)
    .where(and(eq(rollouts.configurationId, rollout.configurationId), gt(rollouts.sequence, rollout.sequence)))
    .limit(1)
    .get();
  return newer !== undefined;
}

type GateVerdict = { passing: boolean; halted: boolean; message: string; failing: GateCluster[]; waiting: GateCluster[] };

/** Rows that no longer count for a gate: the cluster left the rollout. */
const OUT_OF_GATE = new Set<RolloutClusterState>(["skipped", "superseded", "removed", "aborted"]);
const GATE_LIST_LIMIT = 50;

/** The wave's clusters against its gate, from their rows and the status the observation loop wrote. */
export function evaluateGate(rollout: Rollout, wave: number, settings: Pick<Wave, "maxFailures" | "maxFailurePercent">): GateVerdict {
  const rows = getDb()
    .select({
      clusterId: rolloutClusters.clusterId,
      cluster: clusters.name,
      action: rolloutClusters.action,
      rowState: rolloutClusters.state,
      rowReason: rolloutClusters.reason,
      finishedAt: rolloutClusters.finishedAt,
      state: configurationStatus.state,
      reason: configurationStatus.reason,
      appliedVersion: configurationStatus.appliedVersion,
      observedAt: configurationStatus.observedAt,
    })
    .from(rolloutClusters)
    .innerJoin(clusters, eq(clusters.id, rolloutClusters.clusterId))
    .leftJoin(configurationStatus, and(eq(configurationStatus.configurationId, rollout.configurationId), eq(configurationStatus.clusterId, rolloutClusters.clusterId)))
    .where(and(eq(rolloutClusters.rolloutId, rollout.id), eq(rolloutClusters.wave, wave)))
    .orderBy(asc(clusters.name))
    .all();
  // A cluster a later rollout of the configuration has taken over (a relabel, a retry) is that one's.
  const takenOver = new Set(
    getDb()
      .select({ clusterId: rolloutClusters.clusterId })
      .from(rolloutClusters)
      .innerJoin(rollouts, eq(rollouts.id, rolloutClusters.rolloutId))
      .where(and(eq(rollouts.configurationId, rollout.configurationId), gt(rollouts.sequence, rollout.sequence)))
      .all()
      .map((row) => row.clusterId),
  );
  const failing: GateCluster[] = [];
  const waiting: GateCluster[] = [];
  let size = 0;
  for (const row of rows) {
    if (OUT_OF_GATE.has(row.rowState) || row.action === "remove" || takenOver.has(row.clusterId)) continue;
    size++;
    const entry = (state: string, reason: string | null) => ({ clusterId: row.clusterId, cluster: row.cluster, state, reason });
    if (row.rowState === "failed" || row.rowState === "interrupted") failing.push(entry(`push ${row.rowState}`, row.rowReason));
    else if (row.rowState !== "applied") waiting.push(entry(row.rowState, row.rowReason));
    else if (row.state === "Compliant" && (row.appliedVersion ?? 0) >= rollout.version) continue;
    // Non-Compliant counts against the gate once it was observed after the push: before, it may be the old version's.
    else if (row.state === "Non-Compliant" && row.observedAt && row.finishedAt && row.observedAt > row.finishedAt) failing.push(entry(row.state, row.reason));
    else waiting.push(entry(row.state ?? "not observed yet", row.state === "Compliant" ? `still on v${row.appliedVersion ?? "?"}` : row.reason));
  }
  const halted = !withinFailureBudget(settings, failing.length, size);
  const passing = !halted && waiting.length === 0;
  const v = `v${rollout.version}`;
  const names = (list: GateCluster[]) => list.slice(0, 5).map((c) => `${c.cluster} (${c.state}${c.reason ? `: ${c.reason}` : ""})`).join(", ") + (list.length > 5 ? ` and ${list.length - 5} more` : "");
  const budget = settings.maxFailurePercent === undefined ? `${settings.maxFailures}` : `${settings.maxFailures} or ${settings.maxFailurePercent} %`;
  const message = halted
    ? `halted: ${failing.length} of ${size} clusters failing, more than the gate allows (${budget}): ${names(failing)}`
    : waiting.length > 0
      ? `waiting for ${waiting.length} of ${size} clusters to be Compliant on ${v}: ${names(waiting)}`
      : `all ${size - failing.length} of ${size} clusters Compliant on ${v}${failing.length ? ` (${failing.length} failing, within the gate's budget)` : ""}`;
  return { passing, halted, message, failing: failing.slice(0, GATE_LIST_LIMIT), waiting: waiting.slice(0, GATE_LIST_LIMIT) };
}

/** How often held rows look again even when nothing wakes them (another process changed a window). */
const HOLD_RECHECK_MS = 30_000;
const wakers = (globalForCoordinator.fleetlineRolloutWakers ??= new Map<string, () => void>());
// Wakes per configuration: one that comes while the ready rows apply is not lost.
const wakes = (globalForCoordinator.fleetlineRolloutWakes ??= new Map<string, number>());

/**
 * Splits the rows into those that may apply now and those a window holds (their reason says
 * which window and until when). A rollout an admin let through ignores windows.
 */
function holdForWindows(rollout: Rollout, rows: RolloutCluster[], now: Date): { ready: RolloutCluster[]; held: number; until: Date | null } {
  const windows = rollout.windowOverride ? [] : listWindows();
  if (windows.length === 0) return { ready: rows, held: 0, until: null };
  const labelsOf = new Map(
    getDb()
      .select({ id: clusters.id, labels: clusters.labels })
      .from(clusters)
      .where(inArray(clusters.id, rows.map((row) => row.clusterId)))
      .all()
      .map((c) => [c.id, c.labels]),
  );
  const ready: RolloutCluster[] = [];
  let held = 0;
  let until: Date | null = null;
  for (const row of rows) {
    const verdict = windowVerdict(labelsOf.get(row.clusterId) ?? {}, windows, now);
    if (verdict.allowed) {
      ready.push(row);
      continue;
    }
    held++;
    if (verdict.until && (!until || verdict.until < until)) until = verdict.until;
    if (row.reason !== verdict.message || row.state !== "pending") updateRow(row, { state: "pending", reason: verdict.message });
  }
  return { ready, held, until };
}

/** Until the earliest window change, at most HOLD_RECHECK_MS. */
const windowWaitMs = (until: Date | null) => Math.min(HOLD_RECHECK_MS, Math.max(250, until ? until.getTime() - Date.now() + 50 : HOLD_RECHECK_MS));

/** Sleeps `ms`; wakeHeldRollouts (a window changed, an operator acted, a newer push) ends it early. */
function waitForWake(configurationId: string, ms: number, wakesSeen: number): Promise<void> {
  if ((wakes.get(configurationId) ?? 0) !== wakesSeen) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (wakers.get(configurationId) === done) wakers.delete(configurationId);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wakers.set(configurationId, done);
  });
}

/** Held rollouts look at their windows again now (a window was added or removed, an override given, a newer push recorded). */
export function wakeHeldRollouts(configurationId?: string): void {
  for (const id of configurationId ? [configurationId] : [...new Set([...drains.keys(), ...wakers.keys()])]) wakes.set(id, (wakes.get(id) ?? 0) + 1);
  for (const [id, wake] of [...wakers]) if (!configurationId || id === configurationId) wake();
}

/** A rollout whose run crashed (a bug, the database): its unfinished rows are marked, so the queue moves on. */
function abandon(rolloutId: string, error: unknown): RolloutProgress | undefined {
  log.error("push: rollout crashed", { rolloutId, error: errorMessage(error) });
  try {
    const db = getDb();
    db.update(rolloutClusters)
      .set({ state: "interrupted", reason: "the push stopped on an unexpected error (details are in the server log)", finishedAt: new Date() })
      .where(and(eq(rolloutClusters.rolloutId, rolloutId), inArray(rolloutClusters.state, ["pending", "applying"])))
      .run();
    db.update(rollouts).set({ state: "interrupted", finishedAt: new Date() }).where(eq(rollouts.id, rolloutId)).run();
  } catch (again) {
    log.error("push: could not mark a crashed rollout", { rolloutId, error: errorMessage(again) });
  }
  return getRolloutProgress(rolloutId);
}

function oldestUnfinished(configurationId: string): Rollout | undefined {
  return getDb()
    .select()
    .from(rollouts)
    .where(and(eq(rollouts.configurationId, configurationId), inArray(rollouts.state, [...UNFINISHED_ROLLOUT_STATES])))
    .orderBy(asc(rollouts.sequence))
    .limit(1)
    .get();
}

/** Runs the configuration's unfinished rollouts one at a time, oldest first, until none is left. */
async function drain(configurationId: string): Promise<void> {
  for (let next = oldestUnfinished(configurationId); next; next = oldestUnfinished(configurationId)) {
    const settings = pushSettings(requestedSettings.get(next.id));
    let progress: RolloutProgress | undefined;
    try {
      progress = await execute(next.id, settings);
    } catch (error) {
      progress = abandon(next.id, error);
    }
    requestedSettings.delete(next.id);
    for (const resolve of waiters.get(next.id) ?? []) resolve(progress);
    waiters.delete(next.id);
  }
}

/*
 * Replicas (issue 17): a configuration's drain runs in the process holding the lease
 * `rollout:<configuration id>`, renewed while it runs, so two processes never drain one
 * configuration side by side. A process that cannot take it leaves the rollout to the holder (its
 * drain picks new rollouts up as it goes) and answers its own callers from the database; when the
 * holder dies, its lease expires and the next kick (a caller's poll here, the resumer on a
 * replica with background work) takes the drain over from the rows in the database.
 */
const drainLease = (configurationId: string) => `rollout:${configurationId}`;
const drainLeaseMs = () => env().FLEETLINE_REPLICA_TTL_S * 1000;

function takeDrainLease(configurationId: string): boolean {
  try {
    return takeLease(drainLease(configurationId), replicaId(), drainLeaseMs());
  } catch (error) {
    log.warn("push: drain lease not taken", { configurationId, error: errorMessage(error) });
    return false;
  }
}

/** Starts the configuration's drain unless this process already runs it (which picks new rollouts up as it goes) or another replica does. */
function kick(configurationId: string): void {
  if (drains.has(configurationId)) {
    // A drain held by a window wakes, so a newer rollout's superseding is seen at once.
    wakeHeldRollouts(configurationId);
    return;
  }
  if (!takeDrainLease(configurationId)) {
    followElsewhere();
    return;
  }
  // Renewed off the event loop's busy wait: another process holding the write lock must not stall pages.
  const renew = setInterval(() => {
    backgroundWrite(getDb(), () => takeLease(drainLease(configurationId), replicaId(), drainLeaseMs()), { budgetMs: drainLeaseMs() / 3 })
      .then((held) => {
        if (!held) log.error("push: drain lease lost to another replica", { configurationId });
      })
      .catch((error: unknown) => log.warn("push: drain lease not renewed", { configurationId, error: errorMessage(error) }));
  }, drainLeaseMs() / 3);
  renew.unref();
  const running = drain(configurationId)
    .catch((error: unknown) => log.error("push: coordinator stopped", { configurationId, error: errorMessage(error) }))
    .finally(() => {
      clearInterval(renew);
      drains.delete(configurationId);
      try {
        releaseLease(drainLease(configurationId), replicaId());
      } catch (error) {
        log.warn("push: drain lease not released (it expires)", { configurationId, error: errorMessage(error) });
      }
      // A rollout recorded between the drain's last look and its end would otherwise wait for the next push.
      if (oldestUnfinished(configurationId)) kick(configurationId);
    });
  drains.set(configurationId, running);
}

const globalForResume = globalThis as unknown as { fleetlineRolloutFollower?: NodeJS.Timeout; fleetlineRolloutResumer?: NodeJS.Timeout };

/**
 * Callers here waiting on rollouts another replica runs: answered once the database says the
 * rollout finished; a configuration whose drain lease has lapsed (its holder died) is kicked here.
 */
function followElsewhere(): void {
  if (globalForResume.fleetlineRolloutFollower) return;
  const timer = setInterval(() => {
    const ids = [...waiters.keys()].filter((id) => !runningHere(id));
    if (ids.length === 0) {
      clearInterval(timer);
      globalForResume.fleetlineRolloutFollower = undefined;
      return;
    }
    for (const rollout of getDb().select({ id: rollouts.id, state: rollouts.state, configurationId: rollouts.configurationId }).from(rollouts).where(inArray(rollouts.id, ids)).all()) {
      if ((UNFINISHED_ROLLOUT_STATES as readonly string[]).includes(rollout.state)) {
        kick(rollout.configurationId);
        continue;
      }
      const progress = getRolloutProgress(rollout.id);
      for (const resolve of waiters.get(rollout.id) ?? []) resolve(progress);
      waiters.delete(rollout.id);
      requestedSettings.delete(rollout.id);
    }
  }, 1000);
  timer.unref();
  globalForResume.fleetlineRolloutFollower = timer;
}

function runningHere(rolloutId: string): boolean {
  const configurationId = getDb().select({ configurationId: rollouts.configurationId }).from(rollouts).where(eq(rollouts.id, rolloutId)).get()?.configurationId;
  return configurationId !== undefined && drains.has(configurationId);
}

/**
 * Background work (one per replica): every few seconds, unfinished rollouts whose configuration
 * no process is draining are taken up here, so a rollout a dead replica was running resumes from
 * the database once its lease expires.
 */
export function startRolloutResumer(everyMs = 5000): void {
  if (globalForResume.fleetlineRolloutResumer) return;
  globalForResume.fleetlineRolloutResumer = setInterval(() => {
    try {
      const unfinished = getDb().selectDistinct({ configurationId: rollouts.configurationId }).from(rollouts).where(inArray(rollouts.state, [...UNFINISHED_ROLLOUT_STATES])).all();
      for (const { configurationId } of unfinished) if (!drains.has(configurationId)) kick(configurationId);
    } catch (error) {
      log.warn("push: resumer pass failed", { error: errorMessage(error) });
    }
  }, everyMs);
  globalForResume.fleetlineRolloutResumer.unref();
}

/**
 * Has the coordinator run a recorded rollout: after every earlier unfinished rollout of the same
 * configuration, then every pending cluster at bounded concurrency, each within its own deadline;
 * one cluster's failure is recorded on its row and never stops the others. Never rejects (start
 * it with `void runRollout(id)`); resolves to the final progress once this rollout has finished.
 */
export function runRollout(rolloutId: string, overrides: Partial<PushSettings> = {}): Promise<RolloutProgress | undefined> {
  const rollout = getDb().select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
  if (!rollout || !(UNFINISHED_ROLLOUT_STATES as readonly string[]).includes(rollout.state)) return Promise.resolve(getRolloutProgress(rolloutId));
  if (Object.keys(overrides).length > 0) requestedSettings.set(rolloutId, overrides);
  const done = new Promise<RolloutProgress | undefined>((resolve) => waiters.set(rolloutId, [...(waiters.get(rolloutId) ?? []), resolve]));
  kick(rollout.configurationId);
  return done;
}

export type ResumeReport = {
  /** Unfinished rollouts handed back to the coordinator. */
  resumed: string[];
  /** Finished rollouts that still had pending or applying rows: those rows are marked interrupted. */
  interrupted: string[];
  /** New rollouts retrying those rows, where each is still the newest intent for its cluster. */
  retried: string[];
};

/**
 * Rows a crash left pending or applying inside a finished rollout: marked interrupted, and
 * retried (a new rollout of the same version and action) where no later rollout covers the cluster.
 */
function retryLeftovers(report: ResumeReport): void {
  const db = getDb();
  const finished = db.select().from(rollouts).where(notInArray(rollouts.state, [...UNFINISHED_ROLLOUT_STATES])).all();
  const leftovers = db
    .select()
    .from(rolloutClusters)
    .where(and(inArray(rolloutClusters.state, ["pending", "applying"]), inArray(rolloutClusters.rolloutId, finished.map((rollout) => rollout.id))))
    .all();
  for (const rollout of finished) {
    const rows = leftovers.filter((row) => row.rolloutId === rollout.id);
    if (rows.length === 0) continue;
    report.interrupted.push(rollout.id);
    const retry = rows.filter((row) => !supersededReason(rollout, row));
    for (const row of rows) updateRow(row, { state: "interrupted", reason: "interrupted by a restart", finishedAt: new Date() });
    if (retry.length === 0) continue;
    const sequence = (db.select({ sequence: rollouts.sequence }).from(rollouts).orderBy(desc(rollouts.sequence)).limit(1).get()?.sequence ?? 0) + 1;
    const id = crypto.randomUUID();
    const unfinishedAhead = oldestUnfinished(rollout.configurationId) !== undefined;
    db.transaction((tx) => {
      tx.insert(rollouts)
        .values({ ...rollout, id, sequence, state: unfinishedAhead ? "queued" : "running", createdAt: new Date(), finishedAt: null, strategy: null, control: singleWave(retry.map((row) => row.clusterId)) })
        .run();
      tx.insert(rolloutClusters).values(retry.map((row) => ({ rolloutId: id, clusterId: row.clusterId, action: row.action, state: "pending" as const }))).run();
    });
    report.retried.push(id);
  }
}

/**
 * Start-up, before new pushes are accepted: leftovers of finished rollouts are marked and
 * retried, and every unfinished rollout goes back to the coordinator in its original order (a
 * push recorded from now on queues behind them; each row checks it is still the newest intent
 * right before it applies). Returns once that is in place; with `wait`, once they have all run.
 */
export async function resumeInterruptedRollouts(overrides: Partial<PushSettings> = {}, { wait = true } = {}): Promise<ResumeReport> {
  const report: ResumeReport = { resumed: [], interrupted: [], retried: [] };
  retryLeftovers(report);
  const unfinished = getDb().select().from(rollouts).where(inArray(rollouts.state, [...UNFINISHED_ROLLOUT_STATES])).orderBy(asc(rollouts.sequence)).all();
  const runs = unfinished.map((rollout) => {
    if (!report.retried.includes(rollout.id)) report.resumed.push(rollout.id);
    return runRollout(rollout.id, overrides);
  });
  if (wait) await Promise.all(runs);
  return report;
}
