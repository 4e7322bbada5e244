import "server-only";
import { count, eq, lt, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Cluster, type ClusterHealth } from "@/db/schema";
import { findForeignEdits, type InventoryOwner } from "@/lib/drift/cluster-objects";
import { env } from "@/lib/env";
import { clientFor, keptClientFor } from "@/lib/inventory/client-cache";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { classifyError } from "@/lib/k8s/errors";
import { errorMessage, log } from "@/lib/log";
import { Deadline } from "@/lib/k8s/deadline";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { createSemaphore, withClusterSlot, type Semaphore } from "@/lib/k8s/budget";
import { probeCluster, type ClusterProbe } from "@/lib/k8s/discovery";
import { reconcilerFor, type ReconcilerModule } from "@/lib/reconcilers";
import { FLUX_KINDS } from "@/lib/reconcilers/flux/kinds";
import { managedOnly, type LiveFluxObject } from "@/lib/reconcilers/flux/list";
import { objectsOfConfiguration, unreachableRow } from "@/lib/reconcilers/flux/rows";
import { noReconcilerRow } from "@/lib/reconcilers/observation";
import type { Listing } from "@/lib/reconcilers/types";
import { loadTargets, withReconciler, type Target } from "@/lib/status/expected";
import { detectReconciler, dueClusterIds, forgetDeletedClusters, healthAsStored, healthSettings, recordHealth, touchHealth, type CheckOutcome, type SweepOptions } from "./inventory";
import { persistObserved, touchClusters, touchOf, wouldBeUnchanged, type PersistOutcome, type Touch } from "@/lib/status/persist";
import { batchedWrite } from "@/db/batch";
import { backgroundWrite } from "@/db/busy";
import { textList } from "@/db/sql-dialect";
import { persistPolicies } from "@/lib/policy/persist";
import { readPolicyEngines, servedEngines } from "@/lib/policy/read";
import type { PolicyEngine } from "@/db/schema-policy";
import type { ConfigurationStatus } from "@/db/schema-status";
import { persistVersions } from "@/lib/versions/persist";
import { readVersions } from "@/lib/versions/read";
import type { KubeObject } from "@/lib/k8s/client";
import type { ClusterClient } from "@/lib/k8s/client";
import { applyBehindBy, refreshSourceHeads } from "@/lib/status/revision";
import { ensureWatches, stopWatches, watchedListing, watchGeneration, watchStats } from "./watches";
import { replicaShare } from "@/lib/server/replicas";

export type StatusSweepOptions = {
  /** Only these clusters (all registered clusters by default). */
  clusterIds?: readonly string[];
  concurrency?: number;
  /** Everything done on one cluster must finish within this. */
  timeoutMs?: number;
  /** Git caches are fetched again only when older than this. */
  gitMaxAgeMs?: number;
  /** Look for resource drift (field managers on inventory objects) on this sweep. Default true. */
  resourceDrift?: boolean;
  /** Read policy results when the cluster's policy interval has passed. Default true. */
  policies?: boolean;
  /** Read images and chart versions when the cluster's versions interval has passed. Default true. */
  versions?: boolean;
  now?: () => number;
};

export type ClusterSweepOutcome = { clusterId: string; status: "ok" | "unreachable" | "failed"; durationMs: number; configurations: number; reason?: string };
export type StatusSweepResult = { clusters: ClusterSweepOutcome[]; durationMs: number };


/** From the environment: every 30 s by default (Git sources every 60 s); concurrency and per-cluster timeout shared with the health sweep. */
export function statusSettings() {
  const e = env();
  return { intervalMs: e.FLEETLINE_STATUS_INTERVAL_S * 1000, concurrency: e.FLEETLINE_HEALTH_CONCURRENCY, timeoutMs: e.FLEETLINE_HEALTH_TIMEOUT_MS, gitIntervalMs: e.FLEETLINE_GIT_INTERVAL_S * 1000 };
}

/**
 * The request timeout for cluster clients. The inventory's keep-alive clients are keyed by
 * it: status work uses the health sweep's, or each would replace the other's client.
 */
export const requestTimeoutMs = (): number => env().FLEETLINE_HEALTH_TIMEOUT_MS;

function namespacesOf(targets: readonly Target[]): string[] {
  return [...new Set(targets.flatMap((t) => (Array.isArray(t.rendered) ? t.rendered.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])) : [])))];
}

/** Edited inventory objects per configuration: best effort, within what is left of the cluster's budget. */
async function resourceDriftCounts(cluster: Cluster, targets: readonly Target[], live: readonly LiveFluxObject[], deadline: Deadline): Promise<Map<string, number> | undefined> {
  const owners: (InventoryOwner & { configurationId: string })[] = targets.flatMap((target) =>
    objectsOfConfiguration(live, target.name)
      .filter((o) => o.kind === "Kustomization" && (o.status?.inventory?.entries?.length ?? 0) > 0)
      .map((o) => ({ configurationId: target.configurationId, kustomization: o.metadata.name, namespace: o.metadata.namespace ?? "", entries: o.status?.inventory?.entries ?? [] })),
  );
  if (owners.length === 0) return new Map();
  try {
    const edits = await deadline.race(findForeignEdits(clientFor(cluster, requestTimeoutMs()), owners));
    const configurationOf = new Map(owners.flatMap((o) => o.entries.map((e) => [e.id, o.configurationId] as const)));
    const counts = new Map<string, number>(targets.map((t) => [t.configurationId, 0]));
    for (const edit of edits) {
      const id = configurationOf.get(edit.ref.id);
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  } catch (error) {
    log.debug("status: resource drift check skipped", { cluster: cluster.name, error: errorMessage(error) });
    return undefined;
  }
}

/**
 * A cluster the health sweep has found down repeatedly and is backing off from: contacting it
 * again every status interval would only spend a slot for the whole timeout (and hammer a
 * revoked token), so it waits for the health sweep to see it back.
 */
function backingOff(health: ClusterHealth | undefined, now: number): { kind: string; message: string } | undefined {
  if (!health || health.state !== "unreachable" || health.consecutiveFailures < 2 || health.nextCheckAt.getTime() <= now) return undefined;
  return { kind: health.reasonKind ?? "unreachable", message: `${health.reason ?? "unreachable"} (checked again at the next health check)` };
}

type Settings = Required<Omit<ObserveOptions, "clusterIds" | "dueOnly" | "respectBackoff" | "watch">> & { intervalMs: number; respectBackoff: boolean; watch: boolean };
type ClusterObservation = { check: CheckOutcome; sweep: ClusterSweepOutcome };

/**
 * One cluster, one worker, one pass: discovery (cached per client), version, nodes and
 * reconcilers, one list per kind, and from that listing both the inventory facts and the
 * status rows. A kind whose list fails turns only the configurations using it Unknown; a
 * cluster that does not answer turns all its rows Unknown with the reason, at once.
 */
async function observeCluster(cluster: Cluster, targets: readonly Target[], health: ClusterHealth | undefined, o: Settings): Promise<ClusterObservation> {
  const started = Date.now();
  const sweep = sweepOf(cluster.id, targets.length, started);
  const markUnknown = (failure: { kind: string; message: string }) => markClusterUnknown(cluster.id, targets, failure, o, sweep);
  const away = o.respectBackoff ? backingOff(health, o.now()) : undefined;
  if (away) {
    const state = health?.state ?? "unknown";
    return { check: { clusterId: cluster.id, state, durationMs: 0, reason: away.message }, sweep: await markUnknown(away) };
  }
  return observationSlots().run(() => withClusterSlot(async () => {
    const deadline = new Deadline(o.timeoutMs);
    try {
      return await observeWithin(cluster, targets, health, o, deadline, started, markUnknown, sweep);
    } finally {
      deadline.dispose();
    }
  }));
}

type Sweep = (status: ClusterSweepOutcome["status"], reason?: string) => ClusterSweepOutcome;

const sweepOf = (clusterId: string, configurations: number, started: number): Sweep => (status, reason) => ({ clusterId, status, durationMs: Date.now() - started, configurations, ...(reason ? { reason } : {}) });

/** A cluster that does not answer: all its rows Unknown with the reason, at once. */
async function markClusterUnknown(clusterId: string, targets: readonly Target[], failure: { kind: string; message: string }, o: Pick<Settings, "now">, sweep: Sweep): Promise<ClusterSweepOutcome> {
  quietRows.delete(clusterId);
  const now = o.now();
  await persistObserved(clusterId, (previous) => ({ rows: targets.map((t) => unreachableRow(t, previous.get(t.configurationId), failure, now)), objects: undefined }));
  return sweep("unreachable", failure.message);
}

/** A cluster last seen answering that no longer proves life: its health recorded as failed, its rows Unknown. */
async function lostCluster(clusterId: string, targets: readonly Target[], health: ClusterHealth | undefined, failure: { kind: string; message: string } | undefined, o: Settings, sweep: Sweep): Promise<ClusterObservation> {
  fullProbes.delete(clusterId);
  const check = await recordHealth(clusterId, health, undefined, failure, o.now(), o.intervalMs);
  return { check, sweep: await markClusterUnknown(clusterId, targets, failure ?? { kind: "network", message: "unreachable" }, o, sweep) };
}

async function observeWithin(
  cluster: Cluster,
  targets: readonly Target[],
  health: ClusterHealth | undefined,
  o: Settings,
  deadline: Deadline,
  started: number,
  markUnknown: (failure: { kind: string; message: string }) => Promise<ClusterSweepOutcome>,
  sweep: Sweep,
): Promise<ClusterObservation> {
  // The deadline aborts the request in flight, so a black hole holds a socket no longer than this.
  const client = clientFor(cluster, requestTimeoutMs()).withSignal(deadline.signal);
  const light = await lightPass(cluster, targets, health, o, client, deadline, sweep);
  if (light) return light;
  fullObservations.started += 1;
  quietRows.delete(cluster.id);
  const namespaces = namespacesOf(targets);
  let probe: ClusterProbe | undefined;
  let failure: { kind: string; message: string } | undefined;
  try {
    probe = await deadline.race(probeCluster(client, { namespaces }));
  } catch (error) {
    failure = classifyError(error);
  }
  const check = { ...(await recordHealth(cluster.id, health, probe, failure, o.now(), o.intervalMs)), durationMs: Date.now() - started };
  if (!probe) {
    fullProbes.delete(cluster.id);
    return { check, sweep: await markUnknown(failure ?? { kind: "network", message: "unreachable" }) };
  }
  if (o.watch) {
    const at = o.now();
    // Without its listings: the watch cache holds the objects, and a light pass keeps the stored snapshot.
    const kept: ClusterProbe = { ...probe, fluxObjectList: [], fluxListing: null };
    fullProbes.set(cluster.id, { at, dueAt: at + Math.round(env().FLEETLINE_INVENTORY_INTERVAL_S * 1000 * (0.9 + 0.2 * Math.random())), probe: kept, fingerprint: cluster.credentialsFingerprint });
  }
  if (targets.length === 0) {
    stopWatches(cluster.id);
    await persistObserved(cluster.id, () => ({ rows: [], objects: [] }));
    await observePolicies(cluster, clientFor(cluster, requestTimeoutMs()), o);
    await observeVersions(cluster, clientFor(cluster, requestTimeoutMs()), [], [], o, "full");
    return { check, sweep: sweep("ok") };
  }
  const reconciler = reconcilerFor({ reconcilerOverride: cluster.reconcilerOverride, detectedReconciler: detectReconciler(probe) });
  const mine = targets.map((t) => withReconciler(t, reconciler?.id ?? null));
  if (!reconciler) {
    stopWatches(cluster.id);
    const now = o.now();
    await persistObserved(cluster.id, (previous) => ({ rows: mine.map((t) => noReconcilerRow(t, previous.get(t.configurationId), now)), objects: [] }));
    await observePolicies(cluster, clientFor(cluster, requestTimeoutMs()), o);
    await observeVersions(cluster, clientFor(cluster, requestTimeoutMs()), [], [], o, "full");
    return { check, sweep: sweep("ok") };
  }
  let listing: Listing;
  try {
    listing = listingFromProbe(probe, reconciler) ?? (await deadline.race(reconciler.list(client, { namespaces })));
  } catch (error) {
    return { check, sweep: await markUnknown(classifyError(error)) };
  }
  const generation = o.watch ? watchGeneration(cluster.id) : undefined;
  await persistRows(cluster.id, reconciler, mine, listing, probe, await driftCounts(cluster, mine, listing, deadline, o, "full"), { ...o, batched: true });
  if (o.watch) {
    restFrom(cluster.id, fullProbes.get(cluster.id), reconciler, mine, listing, generation);
    follow(cluster, reconciler, kindsInUse(reconciler, mine));
  }
  await observePolicies(cluster, clientFor(cluster, requestTimeoutMs()), o);
  await observeVersions(cluster, clientFor(cluster, requestTimeoutMs()), listing.objects, mine, o, "full");
  return { check, sweep: sweep("ok") };
}

/**
 * Follows the kinds in use on the cluster. The callbacks the watches keep capture the cluster's id
 * and name only: made inside a pass, they kept its whole scope alive (the cluster's row with its
 * sealed credentials, and the pass's targets with their rendered objects) until the next full
 * observation replaced them.
 */
function follow(cluster: Cluster, reconciler: ReconcilerModule, kinds: ReadonlySet<string>): void {
  const { id, name } = cluster;
  ensureWatches(cluster, reconciler, kinds, () => refreshFromWatch(id), () => observeSoon(id)).catch((error: unknown) => log.debug("watch: not started", { cluster: name, error: errorMessage(error) }));
}

/**
 * Edited inventory objects per configuration, when this pass looks for them: every pass of a
 * sweep run directly, every `driftIntervalMs` per cluster in the running loop. Undefined keeps
 * the counts the rows have.
 */
function driftCounts(cluster: Cluster, targets: readonly Target[], listing: Listing, deadline: Deadline, o: Settings, at: PassKind): Promise<Map<string, number> | undefined> {
  if (!driftDue(cluster.id, o, o.now(), at)) return Promise.resolve(undefined);
  driftReadAt().set(cluster.id, o.now());
  return resourceDriftCounts(cluster, targets, listing.objects as LiveFluxObject[], deadline);
}

const driftReadAt = () => (globalForLoop.fleetlineDriftReadAt ??= new Map<string, number>());
const policyReadAt = () => (globalForLoop.fleetlinePolicyReadAt ??= new Map<string, number>());
const versionsReadAt = () => (globalForLoop.fleetlineVersionsReadAt ??= new Map<string, number>());

/** Whether this pass looks for resource drift on the cluster (driftCounts). */
function driftDue(clusterId: string, o: Settings, now: number, at: PassKind): boolean {
  return o.resourceDrift && readDue(driftReadAt().get(clusterId), o.driftIntervalMs, clusterId, o, now, at);
}

/** A full observation (discovery, inventory, listing) or a pass between two. */
type PassKind = "full" | "between";

/**
 * Whether a read on an interval of its own (resource drift, versions) is due on this pass. In watch
 * mode it rides the full observation, so that at rest it costs no pass of its own: a full
 * observation does it when it would otherwise fall due before the next one, and a pass between
 * two leaves an overdue read to the next full one when that is within the full observations'
 * jitter (a tenth of the inventory interval, at most a quarter of the read's). Each read's timer
 * had started beside the full observation's, not on it (bench:fleet at 500 clusters: passes not at
 * rest per cluster in a cycle of full observations, 2.7 before, 2.0 with this).
 */
function readDue(last: number | undefined, intervalMs: number, clusterId: string, o: Settings, now: number, at: PassKind): boolean {
  if (last === undefined || intervalMs <= 0) return true;
  const overdue = now - last >= intervalMs;
  const full = lastFull(clusterId, o);
  if (!full) return overdue;
  const slack = Math.min(env().FLEETLINE_INVENTORY_INTERVAL_S * 100, intervalMs / 4);
  return at === "full" ? overdue || last + intervalMs < full.dueAt - slack : overdue && full.dueAt - now > slack;
}

/**
 * Whether this pass reads the cluster's policy results (observePolicies): on the policy interval,
 * unless the read would find nothing (no engine served, none stored since the full observation),
 * which also leaves a cluster free to rest.
 */
function policiesToRead(clusterId: string, o: Settings, now: number): boolean {
  const last = policyReadAt().get(clusterId);
  if (!o.policies || (last !== undefined && now - last < env().FLEETLINE_POLICY_INTERVAL_S * 1000)) return false;
  const memo = policyMemo(clusterId, o);
  return !(memo && memo.served.size === 0 && memo.emptyStored);
}

/** Whether this pass reads the cluster's images and chart versions (observeVersions). */
function versionsDue(clusterId: string, o: Settings, now: number, at: PassKind): boolean {
  return o.versions && readDue(versionsReadAt().get(clusterId), env().FLEETLINE_VERSIONS_INTERVAL_S * 1000, clusterId, o, now, at);
}

/**
 * The status rows from a listing, worked out inside the write against the rows stored then. In
 * watch mode the watch cache, when in sync, is the listing: it is never older than a pass's own,
 * so a pass cannot put back a state an event already replaced.
 */
function persistRows(clusterId: string, reconciler: ReconcilerModule, targets: readonly Target[], listing: Listing, probe: ClusterProbe, counts: Map<string, number> | undefined, o: Pick<Settings, "watch" | "now"> & { batched?: boolean }): Promise<PersistOutcome> {
  return persistObserved(clusterId, (previous) => rowsOf(clusterId, reconciler, targets, listing, probe, counts, o.watch, previous, o.now()), { batched: o.batched === true });
}

function rowsOf(clusterId: string, reconciler: ReconcilerModule, targets: readonly Target[], listing: Listing, probe: ClusterProbe, counts: Map<string, number> | undefined, watch: boolean, previous: ReadonlyMap<string, ConfigurationStatus>, now: number) {
  const controllers = probe.flux.controllers;
  const current = (watch ? watchedListing(clusterId, kindsInUse(reconciler, targets)) : undefined) ?? listing;
  const observed = reconciler.observe(current, { targets, previous, now, ...(controllers.length > 0 ? { controllersReady: controllers.every((c) => c.ready) } : {}) });
  // Rows whose reconciler reports resource drift itself (Argo CD) have it set already.
  if (counts) for (const row of observed.rows) if (row.hasResourceDrift === undefined) Object.assign(row, { resourceDriftCount: counts.get(row.configurationId) ?? 0, hasResourceDrift: (counts.get(row.configurationId) ?? 0) > 0 });
  return observed;
}

/** The kinds of its reconciler that a cluster's configurations render: what is watched. */
function kindsInUse(reconciler: ReconcilerModule, targets: readonly Target[]): Set<string> {
  const own = new Set(reconciler.kinds.map((k) => k.kind));
  return new Set(targets.flatMap((t) => (Array.isArray(t.rendered) ? t.rendered.map((o) => o.kind).filter((kind) => own.has(kind)) : [])));
}

/** The reconciler, its targets and their watched objects, from the last full observation and the watch cache; undefined when the cache cannot serve them. */
function cachedView(cluster: Cluster, full: FullProbe, targets: readonly Target[]): { reconciler: ReconcilerModule; mine: Target[]; listing: Listing } | undefined {
  const found = reconcilerTargets(cluster, full, targets);
  const listing = found && watchedListing(cluster.id, kindsInUse(found.reconciler, found.mine));
  return found && listing ? { ...found, listing } : undefined;
}

/** The reconciler the last full observation found (or the admin's override), and the targets as its; undefined without either. */
function reconcilerTargets(cluster: Pick<Cluster, "reconcilerOverride">, full: FullProbe, targets: readonly Target[]): { reconciler: ReconcilerModule; mine: Target[] } | undefined {
  const reconciler = reconcilerFor({ reconcilerOverride: cluster.reconcilerOverride, detectedReconciler: detectReconciler(full.probe) });
  if (!reconciler || targets.length === 0) return undefined;
  return { reconciler, mine: targets.map((t) => withReconciler(t, reconciler.id)) };
}

/** The last full observation while passes between full ones may reuse it: watch mode, the same credentials, the next not yet due. */
function currentFull(cluster: Pick<Cluster, "id" | "credentialsFingerprint">, o: Settings, now: number): FullProbe | undefined {
  const full = fullProbes.get(cluster.id);
  return o.watch && full && full.fingerprint === cluster.credentialsFingerprint && now < full.dueAt ? full : undefined;
}

/** The cluster's last full observation in watch mode, due or not (currentFull: while passes may reuse it). */
function lastFull(clusterId: string, o: Pick<Settings, "watch">): FullProbe | undefined {
  return o.watch ? fullProbes.get(clusterId) : undefined;
}

/** The last full observation, and when the next is due (the inventory interval, jittered so a fleet registered together spreads out). */
type FullProbe = { at: number; dueAt: number; probe: ClusterProbe; fingerprint: string };

/**
 * A watch-mode pass between full observations: the watches hold the reconciler's objects, so the
 * pass only asks for proof of life (a PING on the cluster's connection, or its version) and works the rows out
 * from the cache. Undefined when a full observation is due: never made, older than
 * FLEETLINE_INVENTORY_INTERVAL_S (jittered), other credentials, or a watch not in sync. A change
 * does not bring the full observation forward: a commit applied fleet-wide would otherwise have
 * every cluster read in full at once, which is what interval listing cost.
 */
async function lightPass(cluster: Cluster, targets: readonly Target[], health: ClusterHealth | undefined, o: Settings, client: ClusterClient, deadline: Deadline, sweep: Sweep): Promise<ClusterObservation | undefined> {
  const full = currentFull(cluster, o, o.now());
  if (!full) return undefined;
  const view = cachedView(cluster, full, targets);
  if (!view) return undefined;
  const { reconciler, mine, listing } = view;
  let alive: { latencyMs: number; kubernetesVersion: string } | undefined;
  let failure: { kind: string; message: string } | undefined;
  try {
    alive = await deadline.race(proofOfLife(client, full.probe));
  } catch (error) {
    failure = classifyError(error);
  }
  if (!alive) return lostCluster(cluster.id, targets, health, failure, o, sweep);
  const probe: ClusterProbe = { ...full.probe, ...alive };
  const counts = await driftCounts(cluster, mine, listing, deadline, o, "between");
  const generation = watchGeneration(cluster.id);
  const key = targetsKey(mine);
  const now = o.now();
  const quiet = counts ? undefined : atRest(cluster.id, full, key, now);
  // Both writes join the same batch (db/batch.ts): one transaction for many light passes.
  const health$ = recordHealth(cluster.id, health, probe, undefined, now, o.intervalMs, { keepObjectSnapshot: true });
  if (quiet) {
    // Nothing the rows are worked out from has moved since they were last found as stored.
    const [check] = await Promise.all([health$, batchedWrite(getDb(), () => touchClusters([{ clusterId: cluster.id, touch: quiet.touch }], now))]);
    loopCounters.quietPasses += 1;
    await observeOthers(cluster, listing, mine, o);
    return { check, sweep: sweep("ok") };
  }
  quietRows.delete(cluster.id);
  const [check] = await Promise.all([health$, persistRows(cluster.id, reconciler, mine, listing, probe, counts, { ...o, batched: true })]);
  restFrom(cluster.id, full, reconciler, mine, listing, generation);
  await observeOthers(cluster, listing, mine, o);
  return { check, sweep: sweep("ok") };
}

async function observeOthers(cluster: Cluster, listing: Listing, mine: readonly Target[], o: Settings): Promise<void> {
  await observePolicies(cluster, clientFor(cluster, requestTimeoutMs()), o);
  await observeVersions(cluster, clientFor(cluster, requestTimeoutMs()), listing.objects, mine, o, "between");
}

/**
 * A cluster at rest: per cluster, the watch generation, targets and full observation its rows were
 * last worked out from and found as stored, and until when that holds (the next full
 * observation). A light pass that finds all of them unchanged only moves the times of observation
 * (bench:fleet, 2,000 clusters: reading the rows and working them out again was most of what a
 * pass at rest cost). Forgotten on every other write of the cluster's rows.
 */
type QuietRows = { generation: number; key: string; fullAt: number; until: number; touch: Touch };

/** The cluster's QuietRows when they still hold: the same watch generation, targets and full observation, before the next is due. */
function atRest(clusterId: string, full: FullProbe, key: string, now: number): QuietRows | undefined {
  const quiet = quietRows.get(clusterId);
  return quiet && quiet.generation === watchGeneration(clusterId) && quiet.key === key && quiet.fullAt === full.at && now < quiet.until ? quiet : undefined;
}

/**
 * What deciding whether a due cluster rests needs of its stored rows: its key, credentials'
 * fingerprint and reconciler choice, and its health's state, reason and version. A tick reads
 * these for every due cluster and the whole rows only for those that get a pass (bench:fleet at
 * rest, 2,000 clusters: reading every due cluster's sealed credentials and health facts was half
 * of what the loop allocated in an idle minute).
 */
type RestFacts = Pick<Cluster, "id" | "credentialsFingerprint" | "reconcilerOverride"> & { health: Pick<ClusterHealth, "state" | "reason" | "kubernetesVersion"> | null };

function restFacts(ids: readonly string[] | undefined): RestFacts[] {
  return getDb()
    .select({
      id: clusters.id,
      credentialsFingerprint: clusters.credentialsFingerprint,
      reconcilerOverride: clusters.reconcilerOverride,
      state: clusterHealth.state,
      reason: clusterHealth.reason,
      kubernetesVersion: clusterHealth.kubernetesVersion,
    })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(ids ? sql`${clusters.id} in ${textList(ids)}` : undefined)
    .all()
    .map(({ state, reason, kubernetesVersion, ...cluster }) => ({ ...cluster, health: state === null ? null : { state, reason, kubernetesVersion } }));
}

/** The named clusters' whole rows and their health. */
function clusterRows(ids: readonly string[]): { cluster: Cluster; health: ClusterHealth | null }[] {
  if (ids.length === 0) return [];
  return getDb().select({ cluster: clusters, health: clusterHealth }).from(clusters).leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id)).where(sql`${clusters.id} in ${textList(ids)}`).all();
}

/**
 * A cluster of this pass that can be observed at rest (restPass): watch mode, its last full
 * observation current, its rows at rest (atRest) and its health as stored, and nothing else due
 * on this pass (resource drift, policies, versions). Reads memory only.
 */
function restsNow(cluster: RestFacts, targets: readonly Target[], o: Settings, now: number): QuietRows | undefined {
  const full = currentFull(cluster, o, now);
  if (!full || driftDue(cluster.id, o, now, "between") || versionsDue(cluster.id, o, now, "between") || policiesToRead(cluster.id, o, now) || !healthAsStored(cluster.health ?? undefined, full.probe)) return undefined;
  const found = reconcilerTargets(cluster, full, targets);
  return found && atRest(cluster.id, full, targetsKey(found.mine), now);
}

/**
 * Clusters at rest, observed together: a PING each on the connection their watches use, then one
 * write for all that answered, whose health and rows only move their times of observation. No
 * slot, deadline or pass per cluster (bench:fleet, 2,000 clusters at rest: 7.4–7.6 % of a core
 * with the prepared touches, 9.1–16.6 % before). A PING is one frame on an open connection, takes
 * no slot of the cluster work limit, and times out on its own (the client's request timeout). A
 * cluster that does not answer is lost (rows Unknown at once); one with no connection open to
 * PING gets a pass.
 */
async function restPass(resting: readonly { cluster: RestFacts; quiet: QuietRows }[], targets: ReadonlyMap<string, Target[]>, o: Settings): Promise<PromiseSettledResult<ClusterObservation | undefined>[]> {
  const started = Date.now();
  const pings = await Promise.all(
    resting.map(({ cluster }) => {
      // A kept client only: one not kept has no connection to PING, and its cluster gets a pass.
      const client = keptClientFor(cluster, requestTimeoutMs());
      if (!client) return { rtt: undefined, failure: undefined };
      return client.ping().then((rtt) => ({ rtt, failure: undefined }), (error: unknown) => ({ rtt: undefined, failure: classifyError(error) }));
    }),
  );
  const now = o.now();
  const alive = resting.flatMap(({ cluster, quiet }, i) => {
    const rtt = pings[i]!.rtt;
    return rtt === undefined ? [] : [{ clusterId: cluster.id, touch: quiet.touch, latencyMs: Math.round(rtt) }];
  });
  const written =
    alive.length === 0
      ? Promise.resolve(undefined)
      : batchedWrite(getDb(), () => (touchHealth(alive, now, o.intervalMs), touchClusters(alive, now))).then(
          () => undefined,
          (error: unknown) => {
            const message = errorMessage(error);
            log.warn("observe: times of observation not stored", { clusters: alive.length, error: message });
            return message;
          },
        );
  loopCounters.passes += alive.length;
  loopCounters.quietPasses += alive.length;
  // The whole rows of the few that did not answer, read once for all of them.
  const unanswered = new Map(clusterRows(resting.flatMap(({ cluster }, i) => (pings[i]!.rtt === undefined ? [cluster.id] : []))).map((row) => [row.cluster.id, row]));
  return Promise.allSettled(
    resting.map(async ({ cluster }, i): Promise<ClusterObservation | undefined> => {
      const { rtt, failure } = pings[i]!;
      const mine = targets.get(cluster.id) ?? [];
      const sweep = sweepOf(cluster.id, mine.length, started);
      if (rtt === undefined) {
        const row = unanswered.get(cluster.id);
        // Removed since the tick read it: nothing to observe.
        if (!row) return undefined;
        if (failure) {
          loopCounters.passes += 1;
          return lostCluster(cluster.id, mine, row.health ?? undefined, failure, o, sweep);
        }
        // No connection open to PING (it closed since, or no client is kept): a pass, which opens one.
        return observeOnce(row.cluster, mine, row.health ?? undefined, o);
      }
      const error = await written;
      return { check: { clusterId: cluster.id, state: "reachable", durationMs: Date.now() - started }, sweep: error ? sweep("failed", error) : sweep("ok") };
    }),
  );
}

/**
 * When a cluster was last observed in full and is next due to be (watch mode), and when its reads on
 * intervals of their own last ran: what decides whether a pass at rest can be quiet.
 */
export function observationSchedule(clusterId: string): { fullAt?: number; fullDueAt?: number; driftReadAt?: number; versionsReadAt?: number } {
  const full = fullProbes.get(clusterId);
  return { fullAt: full?.at, fullDueAt: full?.dueAt, driftReadAt: driftReadAt().get(clusterId), versionsReadAt: versionsReadAt().get(clusterId) };
}

/** Observations of a cluster started, and light passes among them that found their cluster at rest and worked nothing out (for bench-stats and tests). */
export function observationCounters(): Readonly<typeof loopCounters> {
  return { ...loopCounters };
}

/** Full observations (discovery, inventory, listing) started since the process started. */
export function fullObservationsStarted(): number {
  return fullObservations.started;
}

/** What the rows of these targets are worked out from, besides the cluster's objects. */
function targetsKey(targets: readonly Target[]): string {
  return JSON.stringify(targets.map((t) => [t.configurationId, t.name, t.expectedVersion, t.reconciler, t.push ?? null, t.cluster?.name ?? null, t.cluster?.labels ?? null, Array.isArray(t.rendered) ? null : t.rendered.error]));
}

/**
 * After the cluster's rows were written or found as stored (a full observation, a light pass, a
 * watch event's refresh): the cluster rests from now on (QuietRows) when the rows worked out from
 * the cache at the next full observation's time would equal what is stored. Then nothing in them
 * moves with time before then (a grace period ending, "not reconciled in N min"): time only ever
 * carries a row past a threshold, so equal at both ends means equal between. `generation` is the
 * watch cache's before the rows were worked out: an event since leaves the cluster not at rest.
 * Only a light pass that found the rows unchanged had set it, so every write cost the next pass
 * (bench:fleet, 2,000 clusters: a second pass not at rest after each full observation and each
 * commit applied fleet-wide).
 */
function restFrom(clusterId: string, full: FullProbe | undefined, reconciler: ReconcilerModule, targets: readonly Target[], listing: Listing, generation: number | undefined): void {
  if (generation === undefined || !full) return;
  try {
    let touch: Touch | undefined;
    const stays = wouldBeUnchanged(clusterId, (previous) => {
      const observed = rowsOf(clusterId, reconciler, targets, listing, full.probe, undefined, true, previous, full.dueAt);
      touch = touchOf(observed.rows, observed.objects);
      return observed;
    });
    if (stays && touch) quietRows.set(clusterId, { generation, key: targetsKey(targets), fullAt: full.at, until: full.dueAt, touch });
  } catch (error) {
    log.debug("observe: rows not checked for rest", { clusterId, error: errorMessage(error) });
  }
}

/**
 * That the cluster answers, and how fast: a PING on its open HTTP/2 connection (the one its watches
 * use; no request for the API server to serve), else (HTTP/1.1, or no connection open) a GET
 * /version. The version a PING cannot tell is the last full observation's: it is read again there.
 */
async function proofOfLife(client: ClusterClient, last: ClusterProbe): Promise<{ latencyMs: number; kubernetesVersion: string }> {
  const started = performance.now();
  const rtt = await client.ping();
  if (rtt !== undefined) return { latencyMs: Math.round(rtt), kubernetesVersion: last.kubernetesVersion };
  const version = await client.version();
  return { latencyMs: Math.round(performance.now() - started), kubernetesVersion: version.gitVersion };
}

/**
 * A watch lost its connection to a cluster last seen answering: observed at the next tick, not
 * at its next interval, so a cluster that stops shows as down within a second or two.
 */
function observeSoon(clusterId: string): void {
  if (fullProbes.has(clusterId)) urgent.add(clusterId);
}

/**
 * Rows worked out again from the watch cache after an event: no request to the cluster, so a
 * change reaches the dashboard within a second of the controller writing it. It does not wait
 * for a pass in flight: both work their rows out inside their write (persistRows). Clusters
 * whose caches changed within a few milliseconds of each other are worked out as one batch, with
 * one read of their targets: a commit applied fleet-wide changes every cluster's cache at once.
 */
function refreshFromWatch(clusterId: string): void {
  pendingRefresh.add(clusterId);
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    const batch = [...pendingRefresh];
    pendingRefresh.clear();
    refreshRows(batch).catch((error: unknown) => log.warn("watch: rows not refreshed", { clusters: batch.length, error: errorMessage(error) }));
  }, REFRESH_BATCH_MS);
  refreshTimer.unref();
}

const REFRESH_BATCH_MS = 20;
const pendingRefresh = new Set<string>();
let refreshTimer: NodeJS.Timeout | undefined;

async function refreshRows(clusterIds: readonly string[]): Promise<void> {
  const rows = clusterRows(clusterIds);
  const found = new Set(rows.map((row) => row.cluster.id));
  for (const id of clusterIds) {
    if (found.has(id)) continue;
    stopWatches(id);
    fullProbes.delete(id);
    quietRows.delete(id);
  }
  // A cluster found down keeps its Unknown rows until a pass sees it back.
  const live = rows.filter((row) => fullProbes.has(row.cluster.id) && row.health?.state === "reachable");
  if (live.length === 0) return;
  const targets = loadTargets(live.map((row) => row.cluster.id));
  for (let i = 0; i < live.length; i += REFRESH_CHUNK) {
    await Promise.all(
      live.slice(i, i + REFRESH_CHUNK).map(async ({ cluster }) => {
        const full = fullProbes.get(cluster.id);
        const view = full && cachedView(cluster, full, targets.get(cluster.id) ?? []);
        if (!full || !view) return;
        try {
          const generation = watchGeneration(cluster.id);
          await persistRows(cluster.id, view.reconciler, view.mine, view.listing, full.probe, undefined, { watch: true, now: Date.now, batched: true });
          restFrom(cluster.id, full, view.reconciler, view.mine, view.listing, generation);
        } catch (error) {
          log.warn("watch: rows not refreshed", { clusterId: cluster.id, error: errorMessage(error) });
        }
      }),
    );
  }
}

/**
 * Clusters whose rows a watch event refreshes in one transaction, at most (db/batch.ts: each in a
 * savepoint of its own, so one that fails is undone alone). Each had a transaction of its own, one
 * after the other: a commit applied fleet-wide took 2,000 of them. A batch of thousands (every
 * watch resynced at once) is written a hundred at a time, so no one transaction holds the event
 * loop for long.
 */
const REFRESH_CHUNK = 100;

/**
 * Policy results on the policy interval (Gatekeeper audits every 60 s; reading between audits
 * re-reads the same one), under a deadline of their own (FLEETLINE_POLICY_TIMEOUT_MS): a large
 * aggregated report does not fit the status work's. A read that fails or runs out of time keeps
 * the last results, which then show their age.
 */
async function observePolicies(cluster: Cluster, client: ClusterClient, o: Settings): Promise<void> {
  const now = o.now();
  if (!policiesToRead(cluster.id, o, now)) return;
  policyReadAt().set(cluster.id, now);
  const full = lastFull(cluster.id, o);
  const memo = policyMemo(cluster.id, o);
  const policyDeadline = new Deadline(env().FLEETLINE_POLICY_TIMEOUT_MS);
  try {
    const bound = client.withSignal(policyDeadline.signal);
    const served = memo?.served ?? (await policyDeadline.race(servedEngines(bound)));
    const readings = await policyDeadline.race(readPolicyEngines(bound, served));
    // Off the event loop while another process writes (db/busy.ts), as every write of the loop's.
    await backgroundWrite(getDb(), () => persistPolicies(cluster.id, readings, new Date(o.now())), { deferWrites: true });
    if (full) policyDiscovery.set(cluster.id, { fullAt: full.at, served, emptyStored: readings.length === 0 });
  } catch (error) {
    log.debug("policy read skipped", { cluster: cluster.name, error: errorMessage(error) });
  } finally {
    policyDeadline.dispose();
  }
}

/** Per cluster: the policy engines its last full observation's time found served, and whether an empty reading is stored. */
type PolicyMemo = { fullAt: number; served: ReadonlyMap<PolicyEngine, string>; emptyStored: boolean };
const policyDiscovery = new Map<string, PolicyMemo>();

/**
 * In watch mode the engines served are discovered once per full observation, as the reconciler's
 * kinds are: a light pass does not ask for the cluster's group list again. Undefined when there is
 * no full observation, or the engines were discovered before it.
 */
function policyMemo(clusterId: string, o: Settings): PolicyMemo | undefined {
  const full = lastFull(clusterId, o);
  const known = policyDiscovery.get(clusterId);
  return full && known?.fullAt === full.at ? known : undefined;
}

/**
 * Images and chart versions on the versions interval (FLEETLINE_VERSIONS_INTERVAL_S, five minutes
 * by default: they change only on a deployment), from the objects this pass already listed, under
 * a deadline of their own and in the cluster's observation slot. A read that fails or runs out of
 * time keeps the last rows and records why.
 */
async function observeVersions(cluster: Cluster, client: ClusterClient, objects: readonly KubeObject[], targets: readonly Target[], o: Settings, at: PassKind): Promise<void> {
  const now = o.now();
  if (!versionsDue(cluster.id, o, now, at)) return;
  versionsReadAt().set(cluster.id, now);
  const deadline = new Deadline(env().FLEETLINE_VERSIONS_TIMEOUT_MS);
  const reading = await deadline
    .race(readVersions(client.withSignal(deadline.signal), objects, targets))
    .catch((error: unknown) => ({ ok: false as const, error: classifyError(error).message }))
    .finally(() => deadline.dispose());
  try {
    await backgroundWrite(getDb(), () => persistVersions(cluster.id, reading, new Date(o.now())), { deferWrites: true });
  } catch (error) {
    // A configuration deleted during the read: its rows are gone with it; the next read is clean.
    log.debug("versions not stored", { cluster: cluster.name, error: errorMessage(error) });
  }
}

/**
 * The probe already listed every object of the Flux kinds (for the inventory); when those are
 * the reconciler's kinds, its managed objects are the status listing: one list per kind, not two.
 */
function listingFromProbe(probe: ClusterProbe, reconciler: ReconcilerModule): Listing | undefined {
  const listed = probe.fluxListing;
  if (!listed) return undefined;
  const listedKinds = new Set(FLUX_KINDS);
  if (!reconciler.kinds.every((k) => listedKinds.has(k.kind))) return undefined;
  return { objects: managedOnly(listed.objects), unservedKinds: listed.unservedKinds, failedKinds: listed.failedKinds };
}

// Observations of one cluster never overlap: a second request joins the one in flight.
const globalForLoop = globalThis as unknown as {
  fleetlineObserving?: Map<string, Promise<ClusterObservation>>;
  fleetlineObserveLoop?: NodeJS.Timeout;
  fleetlineObserveState?: LoopState;
  fleetlineObservationSlots?: Semaphore;
  fleetlinePolicyReadAt?: Map<string, number>;
  fleetlineVersionsReadAt?: Map<string, number>;
  fleetlineDriftReadAt?: Map<string, number>;
  fleetlineFullProbes?: Map<string, FullProbe>;
  fleetlineQuietRows?: Map<string, QuietRows>;
  fleetlineLoopCounters?: { passes: number; quietPasses: number };
  fleetlineFullObservations?: { started: number };
  fleetlineWatching?: boolean;
};
const inFlight = (globalForLoop.fleetlineObserving ??= new Map());
// The last full observation of each cluster in watch mode (what a light pass reuses).
const fullProbes: Map<string, FullProbe> = (globalForLoop.fleetlineFullProbes ??= new Map());
// Clusters at rest (QuietRows), and how many light passes found theirs so.
const quietRows: Map<string, QuietRows> = (globalForLoop.fleetlineQuietRows ??= new Map());
const loopCounters = (globalForLoop.fleetlineLoopCounters ??= { passes: 0, quietPasses: 0 });
// Full observations started (for bench-stats: whether any fell in the benchmark's idle minute).
const fullObservations = (globalForLoop.fleetlineFullObservations ??= { started: 0 });
// Clusters to observe at the next tick whether due or not (observeSoon).
const urgent = new Set<string>();
// Clusters a tick has handed to a pass that has not observed them yet: a pass works through its
// clusters as slots free up, and a later tick must not hand them to another pass, which would
// observe them again once the first was done (bench:fleet, 2,000 clusters: 3.7 passes per
// cluster per minute where 2 were due).
const queued = new Set<string>();

/**
 * At most FLEETLINE_HEALTH_CONCURRENCY clusters observed at once across every pass: the loop
 * starts a pass for the clusters due each tick, and those passes overlap. Without one limit over
 * them, a fleet the servers cannot answer in time was observed all at once and every cluster
 * missed its deadline (bench:fleet, 100 registrations on two API servers); each cluster's deadline
 * starts once it has its slot.
 */
function observationSlots(): Semaphore {
  return (globalForLoop.fleetlineObservationSlots ??= createSemaphore(statusSettings().concurrency));
}

function observeOnce(cluster: Cluster, targets: readonly Target[], health: ClusterHealth | undefined, o: Settings): Promise<ClusterObservation> {
  const running = inFlight.get(cluster.id);
  if (running) return running;
  loopCounters.passes += 1;
  const promise = observeCluster(cluster, targets, health, o).finally(() => {
    inFlight.delete(cluster.id);
    queued.delete(cluster.id);
  });
  inFlight.set(cluster.id, promise);
  return promise;
}

export type ObserveOptions = StatusSweepOptions & {
  intervalMs?: number;
  /** Only clusters that are due (never observed, or their next check has come). */
  dueOnly?: boolean;
  /** A cluster being backed off from is marked Unknown without being contacted. */
  respectBackoff?: boolean;
  /** Follow each cluster's reconciler kinds with watches (the running loop in watch mode does). */
  watch?: boolean;
  /** Look for resource drift on a cluster at most this often (0: on every pass). */
  driftIntervalMs?: number;
};

function settingsFrom(options: ObserveOptions): Settings {
  const defaults = statusSettings();
  return {
    concurrency: options.concurrency ?? defaults.concurrency,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    intervalMs: options.intervalMs ?? healthSettings().intervalMs,
    gitMaxAgeMs: options.gitMaxAgeMs ?? defaults.gitIntervalMs,
    resourceDrift: options.resourceDrift ?? true,
    policies: options.policies ?? true,
    versions: options.versions ?? true,
    respectBackoff: options.respectBackoff ?? false,
    watch: options.watch ?? globalForLoop.fleetlineWatching === true,
    driftIntervalMs: options.driftIntervalMs ?? 0,
    now: options.now ?? Date.now,
  };
}

/**
 * One pass of the observation loop over the named clusters (all, or the due ones): bounded
 * concurrency within the shared cluster budget, a deadline per cluster, so an unreachable
 * cluster costs one slot for `timeoutMs` and marks only its own rows Unknown. Git sources are
 * refreshed alongside; "behind by N" is filled in once both are done.
 */
export async function runObservation(options: ObserveOptions = {}): Promise<{ observations: ClusterObservation[]; durationMs: number }> {
  const started = Date.now();
  const o = settingsFrom(options);
  const ids = options.clusterIds ?? (options.dueOnly ? dueClusterIds(o.now()) : undefined);
  if (!options.clusterIds) forgetDeletedClusters();
  if (ids && ids.length === 0) return { observations: [], durationMs: 0 };
  const facts = restFacts(ids);
  const targets = loadTargets(ids);
  const specs = new Map<string, ConfigurationSpec>();
  for (const target of [...targets.values()].flat()) if (target.spec) specs.set(target.configurationId, target.spec);
  const heads = specs.size > 0 ? refreshSourceHeads(specs, o.gitMaxAgeMs) : Promise.resolve(new Map());
  // Clusters at rest are observed together (restPass); the others each get a pass.
  const now = o.now();
  const resting = facts.flatMap((cluster) => {
    const quiet = inFlight.has(cluster.id) ? undefined : restsNow(cluster, targets.get(cluster.id) ?? [], o, now);
    return quiet ? [{ cluster, quiet }] : [];
  });
  const restingIds = new Set(resting.map((r) => r.cluster.id));
  const passing = clusterRows(facts.flatMap((c) => (restingIds.has(c.id) ? [] : [c.id])));
  const [rested, passed] = await Promise.all([
    restPass(resting, targets, o),
    mapWithConcurrency(passing, o.concurrency, ({ cluster, health }) => observeOnce(cluster, targets.get(cluster.id) ?? [], health ?? undefined, o)),
  ]);
  const observed = [...passing.map((r) => r.cluster), ...resting.map((r) => r.cluster)];
  const byId = new Map([...passed, ...rested].flatMap((s, i): [string, ClusterObservation][] => {
    const clusterId = observed[i]!.id;
    if (s.status === "fulfilled") return s.value ? [[clusterId, s.value]] : [];
    log.error("observe: cluster failed", { clusterId, error: errorMessage(s.reason) });
    const reason = classifyError(s.reason).message;
    return [[clusterId, { check: { clusterId, state: "unknown", durationMs: 0, reason }, sweep: { clusterId, status: "failed", durationMs: 0, configurations: targets.get(clusterId)?.length ?? 0, reason } }]];
  }));
  // A cluster removed between the two reads has no observation.
  const observations = facts.flatMap((cluster) => byId.get(cluster.id) ?? []);
  const behind = heads
    .then((found) => applyBehindBy(found, facts.map((c) => c.id)))
    .catch((error: unknown) => log.warn("observe: behind-by update failed", { error: errorMessage(error) }));
  // A slow Git host must not hold up the status of the fleet: past the grace period the
  // behind-by counts land in the background, and the next pass starts on time.
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([behind, new Promise<void>((resolve) => (grace = setTimeout(resolve, o.timeoutMs)))]);
  clearTimeout(grace);
  return { observations, durationMs: Date.now() - started };
}

/** The named (or due) clusters' inventory facts, observed now. */
export async function runHealthSweep(options: SweepOptions = {}): Promise<CheckOutcome[]> {
  const { observations } = await runObservation({ ...options, dueOnly: !options.clusterIds, resourceDrift: false, policies: false, versions: false });
  return observations.map((x) => x.check);
}

/** The named (or all) clusters' status rows, observed now; clusters being backed off from are not contacted. */
export async function runStatusSweep(options: StatusSweepOptions = {}): Promise<StatusSweepResult> {
  const { observations, durationMs } = await runObservation({ ...options, respectBackoff: true });
  return { clusters: observations.map((x) => x.sweep), durationMs };
}

type LoopState = { startedAt: number; lastTickAt: number | null; lastPassEndedAt: number | null; running: boolean; intervalMs: number };

/** Whether the loop runs and keeps up, for /api/health and the stale banner. */
export function observationLoopState(): LoopState | null {
  return globalForLoop.fleetlineObserveState ?? null;
}

/**
 * Whether the fleet picture is current, for /api/health: "off" (the loop was not started in this
 * process), "stopped" (its timer has not ticked for 10 s), "behind" (some cluster is overdue by
 * more than two intervals: the loop cannot keep up), else "ok"; in watch mode, how many watches
 * are open and in sync. Counts only, nothing sensitive.
 */
export function observationHealth(now = Date.now()): { state: "off" | "stopped" | "behind" | "ok"; overdueClusters: number; mode?: "watch" | "list"; watches?: ReturnType<typeof watchStats> } {
  const state = observationLoopState();
  if (!state) return { state: "off", overdueClusters: 0 };
  const mode = globalForLoop.fleetlineWatching ? ("watch" as const) : ("list" as const);
  const overdueBefore = new Date(now - 2 * state.intervalMs);
  const overdueClusters = getDb().select({ n: count() }).from(clusterHealth).where(lt(clusterHealth.nextCheckAt, overdueBefore)).get()?.n ?? 0;
  // Counts only: clusters followed, open watches, and how many of them are in sync.
  const detail = { mode, ...(mode === "watch" ? { watches: watchStats() } : {}) };
  if (state.lastTickAt === null || now - state.lastTickAt > 10_000) return { state: "stopped", overdueClusters, ...detail };
  return { state: overdueClusters > 0 ? "behind" : "ok", overdueClusters, ...detail };
}

/**
 * Starts the one observation loop once per process. Every tick it starts the clusters that are
 * due and not already being observed, without waiting for slow ones: a black-holed cluster holds
 * one slot until its deadline while the others are observed on time.
 */
export function startObservationLoop(tickMs = 1_000) {
  if (globalForLoop.fleetlineObserveLoop) return;
  const state: LoopState = { startedAt: Date.now(), lastTickAt: null, lastPassEndedAt: null, running: true, intervalMs: healthSettings().intervalMs };
  globalForLoop.fleetlineObserveState = state;
  globalForLoop.fleetlineWatching = env().FLEETLINE_OBSERVE_MODE === "watch";
  let ticking = false;
  let ticks = 0;
  const tick = () => {
    if (ticking) return;
    ticking = true;
    state.lastTickAt = Date.now();
    try {
      // Deleted clusters give up their clients and watches within a minute.
      if (++ticks % 60 === 0) forgetDeletedClusters();
      // With several replicas, only this one's share (lib/server/replicas.ts).
      const due = replicaShare([...new Set([...dueClusterIds(Date.now()), ...urgent])]).filter((id) => !inFlight.has(id) && !queued.has(id));
      urgent.clear();
      if (due.length > 0) {
        for (const id of due) queued.add(id);
        void runObservation({ clusterIds: due, driftIntervalMs: env().FLEETLINE_DRIFT_INTERVAL_S * 1000 })
          .then(() => (state.lastPassEndedAt = Date.now()))
          .finally(() => due.forEach((id) => queued.delete(id)))
          .catch((error: unknown) => log.error("observation pass failed", { error: errorMessage(error) }));
      }
    } catch (error) {
      log.error("observation tick failed", { error: errorMessage(error) });
    } finally {
      ticking = false;
    }
  };
  globalForLoop.fleetlineObserveLoop = setInterval(tick, tickMs);
  globalForLoop.fleetlineObserveLoop.unref();
  setTimeout(tick, 0).unref();
}

/** Stops the loop's timer (tests; a process that ends stops it anyway). Passes in flight finish. */
export function stopObservationLoop(): void {
  clearInterval(globalForLoop.fleetlineObserveLoop);
  globalForLoop.fleetlineObserveLoop = undefined;
}

/** Kept for callers of the two former loops: both are now the one observation loop. */
export const startStatusLoop = () => startObservationLoop();
export const startHealthLoop = () => startObservationLoop();
