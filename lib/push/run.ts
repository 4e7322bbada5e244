import "server-only";
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import type { Cluster, Reconciler } from "@/db/schema";
import { configurations, configurationTargets, rolloutClusters, rollouts, type Rollout, type RolloutCluster } from "@/db/schema-configurations";
import { recordAudit } from "@/lib/audit";
import { getVersion } from "@/lib/configurations/store";
import { toRenderCredential } from "@/lib/credentials/store";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { removeManagedObjects } from "@/lib/inventory/cleanup";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { withRetry } from "@/lib/k8s/client";
import { errorMessage, log } from "@/lib/log";
import { applyObjects, ObjectFailure, pruneDropped, type ClusterStep } from "./apply";
import { describeFailure, onCluster, PushRefused, pushSettings, type PushSettings } from "./cluster-run";
import { detectReconciler, loadCluster, NO_RECONCILER } from "@/lib/reconcilers";
import { RECONCILER_NAMES, renderFor } from "@/lib/reconcilers/render";
import { clusterFacts } from "@/lib/reconcilers/cluster-facts";
import { clusterRenderKey } from "@/lib/reconcilers/cluster-values";
import type { RenderCredential } from "@/lib/reconcilers/flux/types";
import { UnresolvedVariableError } from "@/lib/validation/cluster-variables";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { getRolloutProgress, type RolloutProgress } from "./rollouts";

// Rollouts being run by this process: a second runRollout(id) joins the first instead of racing it.
const active = new Map<string, Promise<RolloutProgress | undefined>>();

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
  let loaded: { spec: ConfigurationSpec; credential: RenderCredential | undefined } | string | undefined;
  const cache = new Map<string, Rendered>();
  return (reconciler, cluster) => {
    if (loaded === undefined) {
      const version = getVersion(rollout.configurationId, rollout.version);
      if (!version) loaded = `version ${rollout.version} no longer exists`;
      else {
        try {
          const { spec } = version;
          loaded = { spec, credential: spec.source.credentialId === undefined ? undefined : toRenderCredential(spec.source.credentialId, spec.source) };
        } catch (error) {
          loaded = `could not render version ${rollout.version}: ${describeFailure(error, { rolloutId: rollout.id })}`;
        }
      }
    }
    if (typeof loaded === "string") return loaded;
    const { spec, credential } = loaded;
    const facts = clusterFacts(cluster, reconciler);
    const key = `${reconciler}\u0000${clusterRenderKey(spec, facts)}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let rendered: Rendered;
    try {
      rendered = renderFor(reconciler, { spec, version: rollout.version, configurationId: rollout.configurationId, cluster: facts, ...(credential ? { credential } : {}) });
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

async function applyVersion(step: ClusterStep, name: string, objects: readonly RenderedObject[]): Promise<Work> {
  const applied = await applyObjects(step, objects);
  // Only once everything applied: a half-applied version must not also lose its predecessor's objects.
  try {
    return { objects: applied, pruned: await pruneDropped(step, name, objects) };
  } catch (error) {
    throw error instanceof ObjectFailure ? new ObjectFailure(error.object, error.error, applied) : error;
  }
}

async function removeAll(step: ClusterStep, name: string): Promise<Work> {
  // Listing and deleting by label is idempotent, so a retry after a 5xx simply starts over.
  const { deleted } = await withRetry(() => {
    step.deadline.check();
    return removeManagedObjects(step.client, name);
  }, step.retry);
  return { objects: deleted, pruned: [] };
}

async function runRow(rollout: Rollout, name: string, row: RolloutCluster, renderVersion: RenderVersion, settings: PushSettings): Promise<void> {
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
      if (row.action === "remove") return removeAll(step, name);
      return applyVersion(step, name, known ?? (await objectsFor(step, cluster, renderVersion)));
    });
    updateRow(row, { state: row.action === "apply" ? "applied" : "removed", finishedAt: new Date(), objects: work.objects, pruned: work.pruned });
    if (row.action === "remove") {
      // A cluster leaves the target set only once its objects are gone, so a failed removal is retried later.
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

function finish(rollout: Rollout, name: string): RolloutProgress | undefined {
  const progress = getRolloutProgress(rollout.id);
  if (!progress) return undefined;
  const state = progress.counts.interrupted > 0 ? "interrupted" : "done";
  getDb().update(rollouts).set({ state, finishedAt: new Date() }).where(eq(rollouts.id, rollout.id)).run();
  const { applied, removed, failed, interrupted, total } = progress.counts;
  recordAudit({
    actor: rollout.actor,
    action: "configuration.push",
    targetType: "configuration",
    targetId: rollout.configurationId,
    outcome: failed > 0 ? "failed" : "success",
    details: { rolloutId: rollout.id, configuration: name, version: rollout.version, trigger: rollout.trigger, clusters: total, applied, removed, failed, interrupted },
  });
  log.info("push: rollout finished", { rolloutId: rollout.id, configuration: name, version: rollout.version, applied, removed, failed, interrupted });
  return getRolloutProgress(rollout.id);
}

async function execute(rolloutId: string, settings: PushSettings): Promise<RolloutProgress | undefined> {
  const db = getDb();
  const rollout = db.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
  if (!rollout || rollout.state !== "running") return getRolloutProgress(rolloutId);
  const name = db.select({ name: configurations.name }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get()?.name ?? "";
  // "applying" rows are left over from a crash; applying again is idempotent.
  const rows = db
    .select()
    .from(rolloutClusters)
    .where(and(eq(rolloutClusters.rolloutId, rolloutId), inArray(rolloutClusters.state, ["pending", "applying"])))
    .all();
  const renderVersion = versionRenderer(rollout);
  await mapWithConcurrency(rows, settings.concurrency, (row) => runRow(rollout, name, row, renderVersion, settings));
  return finish(rollout, name);
}

/**
 * Does the work of a rollout: every pending cluster at bounded concurrency, each within its
 * own deadline; one cluster's failure is recorded on its row and never stops the others.
 * Never rejects (start it with `void runRollout(id)`); resolves to the final progress.
 */
export function runRollout(rolloutId: string, overrides: Partial<PushSettings> = {}): Promise<RolloutProgress | undefined> {
  const running = active.get(rolloutId);
  if (running) return running;
  const settings = pushSettings(overrides);
  const promise = execute(rolloutId, settings)
    .catch((error: unknown) => {
      log.error("push: rollout crashed", { rolloutId, error: errorMessage(error) });
      return getRolloutProgress(rolloutId);
    })
    .finally(() => active.delete(rolloutId));
  active.set(rolloutId, promise);
  return promise;
}

export type ResumeReport = { resumed: string[]; interrupted: string[] };

/**
 * Start-up: rollouts a crash left running are resumed, since re-applying is idempotent.
 * A cluster row is marked interrupted instead when a later rollout of the same configuration
 * already covers that cluster (resuming would put the older version back), or when the
 * configuration was deleted meanwhile. Call once at boot, before new pushes start.
 */
export async function resumeInterruptedRollouts(overrides: Partial<PushSettings> = {}): Promise<ResumeReport> {
  const db = getDb();
  const report: ResumeReport = { resumed: [], interrupted: [] };
  const stale = db.select().from(rollouts).where(eq(rollouts.state, "running")).orderBy(asc(rollouts.sequence)).all();
  for (const rollout of stale) {
    if (active.has(rollout.id)) continue;
    const configuration = db.select({ deletedAt: configurations.deletedAt }).from(configurations).where(eq(configurations.id, rollout.configurationId)).get();
    const newer = new Set(
      db
        .select({ clusterId: rolloutClusters.clusterId })
        .from(rolloutClusters)
        .innerJoin(rollouts, eq(rollouts.id, rolloutClusters.rolloutId))
        .where(and(eq(rollouts.configurationId, rollout.configurationId), gt(rollouts.sequence, rollout.sequence)))
        .all()
        .map((row) => row.clusterId),
    );
    const unfinished = db
      .select()
      .from(rolloutClusters)
      .where(and(eq(rolloutClusters.rolloutId, rollout.id), inArray(rolloutClusters.state, ["pending", "applying"])))
      .all();
    for (const row of unfinished) {
      const superseded = newer.has(row.clusterId) || (configuration?.deletedAt != null && row.action === "apply");
      if (superseded) updateRow(row, { state: "interrupted", reason: "interrupted by a restart; a later rollout already covers this cluster", finishedAt: new Date() });
    }
    const left = db
      .select({ clusterId: rolloutClusters.clusterId })
      .from(rolloutClusters)
      .where(and(eq(rolloutClusters.rolloutId, rollout.id), inArray(rolloutClusters.state, ["pending", "applying"])))
      .all();
    (left.length > 0 ? report.resumed : report.interrupted).push(rollout.id);
    await runRollout(rollout.id, overrides);
  }
  return report;
}
