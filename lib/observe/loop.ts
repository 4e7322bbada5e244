import "server-only";
import { eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Cluster, type ClusterHealth } from "@/db/schema";
import type { ConfigurationStatus } from "@/db/schema-status";
import { listManagedApplications, observeArgoTargets, type ArgoTarget } from "@/lib/reconcilers/argo/observe";
import { findForeignEdits, type InventoryOwner } from "@/lib/drift/cluster-objects";
import { env } from "@/lib/env";
import { clientFor } from "@/lib/inventory/client-cache";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { classifyError } from "@/lib/k8s/errors";
import { errorMessage, log } from "@/lib/log";
import { Deadline } from "@/lib/k8s/deadline";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { observeArgoTarget } from "@/lib/reconcilers/argo/rows";
import { loadTargets, type Target } from "@/lib/status/expected";
import { listManagedFluxObjects, type LiveFluxObject } from "@/lib/reconcilers/flux/list";
import { objectsOfConfiguration, observeTarget, unreachableRow, type ObjectValues, type StatusValues } from "@/lib/reconcilers/flux/rows";
import { persistCluster, previousRows } from "@/lib/status/persist";
import { applyBehindBy, refreshSourceHeads } from "@/lib/status/revision";

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
  now?: () => number;
};

export type ClusterSweepOutcome = { clusterId: string; status: "ok" | "unreachable" | "failed"; durationMs: number; configurations: number; reason?: string };
export type StatusSweepResult = { clusters: ClusterSweepOutcome[]; durationMs: number };

type Settings = Required<Omit<StatusSweepOptions, "clusterIds">>;

/** From the environment: every 30 s by default; concurrency and per-cluster timeout shared with the health sweep. */
export function statusSettings() {
  const e = env();
  return { intervalMs: e.FLEETLINE_STATUS_INTERVAL_S * 1000, concurrency: e.FLEETLINE_HEALTH_CONCURRENCY, timeoutMs: e.FLEETLINE_HEALTH_TIMEOUT_MS };
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

type Collected = { rows: StatusValues[]; objects: ObjectValues[] } | { failure: { kind: string; message: string } };

async function collectFlux(cluster: Cluster, targets: readonly Target[], previous: ReadonlyMap<string, ConfigurationStatus>, deadline: Deadline, o: Settings): Promise<Collected> {
  let listing;
  try {
    listing = await deadline.race(listManagedFluxObjects(clientFor(cluster, requestTimeoutMs()), namespacesOf(targets)));
  } catch (error) {
    return { failure: classifyError(error) };
  }
  const now = o.now();
  const rows: StatusValues[] = [];
  const objects: ObjectValues[] = [];
  for (const target of targets) {
    const observed = observeTarget(target, listing.objects, listing.unservedKinds, previous.get(target.configurationId), now);
    rows.push(observed.row);
    objects.push(...observed.objects);
  }
  const counts = o.resourceDrift ? await resourceDriftCounts(cluster, targets, listing.objects, deadline) : undefined;
  if (counts) for (const row of rows) Object.assign(row, { resourceDriftCount: counts.get(row.configurationId) ?? 0, hasResourceDrift: (counts.get(row.configurationId) ?? 0) > 0 });
  return { rows, objects };
}

/** One list call for the cluster's Fleetline Applications; Argo CD's own comparison gives resource drift. */
async function collectArgo(cluster: Cluster, targets: readonly Target[], previous: ReadonlyMap<string, ConfigurationStatus>, deadline: Deadline, o: Settings): Promise<Collected> {
  let listing;
  try {
    listing = await deadline.race(listManagedApplications(clientFor(cluster, requestTimeoutMs())));
  } catch (error) {
    return { failure: classifyError(error) };
  }
  const now = o.now();
  const argoTargets = targets.map(({ configurationId, name, expectedVersion, push, rendered }): ArgoTarget => ({ configurationId, name, expectedVersion, rendered, ...(push ? { push } : {}) }));
  const verdicts = observeArgoTargets(listing, argoTargets, now);
  const rows: StatusValues[] = [];
  const objects: ObjectValues[] = [];
  targets.forEach((target, index) => {
    const observed = observeArgoTarget({ target, verdict: verdicts[index]!.verdict, listing, previous: previous.get(target.configurationId), now });
    rows.push(observed.row);
    objects.push(...observed.objects);
  });
  return { rows, objects };
}

async function sweepCluster(cluster: Cluster, targets: readonly Target[], health: ClusterHealth | undefined, o: Settings): Promise<ClusterSweepOutcome> {
  const started = Date.now();
  const previous = previousRows(cluster.id);
  const done = (status: ClusterSweepOutcome["status"], reason?: string): ClusterSweepOutcome => ({ clusterId: cluster.id, status, durationMs: Date.now() - started, configurations: targets.length, ...(reason ? { reason } : {}) });
  const markUnknown = (failure: { kind: string; message: string }) => {
    const now = o.now();
    persistCluster(cluster.id, targets.map((t) => unreachableRow(t, previous.get(t.configurationId), failure, now)), previous, undefined);
    return done("unreachable", failure.message);
  };
  if (targets.length === 0) {
    persistCluster(cluster.id, [], previous, []);
    return done("ok");
  }
  const away = backingOff(health, o.now());
  if (away) return markUnknown(away);
  const deadline = new Deadline(o.timeoutMs);
  // The same choice as the push's: the admin's override, else what the inventory detected; Flux when neither is known.
  const isArgo = (cluster.reconcilerOverride ?? health?.detectedReconciler) === "argocd";
  const collected = await (isArgo ? collectArgo : collectFlux)(cluster, targets, previous, deadline, o);
  if ("failure" in collected) return markUnknown(collected.failure);
  persistCluster(cluster.id, collected.rows, previous, collected.objects);
  return done("ok");
}

// Sweeps of one cluster never overlap: a second request joins the one in flight.
const inFlight = new Map<string, Promise<ClusterSweepOutcome>>();

function sweepOnce(cluster: Cluster, targets: readonly Target[], health: ClusterHealth | undefined, o: Settings): Promise<ClusterSweepOutcome> {
  const running = inFlight.get(cluster.id);
  if (running) return running;
  const promise = sweepCluster(cluster, targets, health, o).finally(() => inFlight.delete(cluster.id));
  inFlight.set(cluster.id, promise);
  return promise;
}

/**
 * One pass over the clusters: bounded concurrency and a deadline per cluster, so an
 * unreachable cluster costs one slot for `timeoutMs` and marks only its own rows Unknown.
 * Git sources are refreshed alongside; "behind by N" is filled in once both are done.
 */
export async function runStatusSweep(options: StatusSweepOptions = {}): Promise<StatusSweepResult> {
  const started = Date.now();
  const defaults = statusSettings();
  const o: Settings = {
    concurrency: options.concurrency ?? defaults.concurrency,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    gitMaxAgeMs: options.gitMaxAgeMs ?? defaults.intervalMs,
    resourceDrift: options.resourceDrift ?? true,
    now: options.now ?? Date.now,
  };
  const db = getDb();
  const rows = db
    .select({ cluster: clusters, health: clusterHealth })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(options.clusterIds ? inArray(clusters.id, [...options.clusterIds]) : undefined)
    .all();
  const list = rows.map((row) => row.cluster);
  const healthOf = new Map(rows.map((row) => [row.cluster.id, row.health ?? undefined]));
  const targets = loadTargets(options.clusterIds);
  const specs = new Map<string, ConfigurationSpec>();
  for (const target of [...targets.values()].flat()) if (target.spec) specs.set(target.configurationId, target.spec);
  const heads = refreshSourceHeads(specs, o.gitMaxAgeMs);
  const settled = await mapWithConcurrency(list, o.concurrency, (cluster) => sweepOnce(cluster, targets.get(cluster.id) ?? [], healthOf.get(cluster.id), o));
  const outcomes = settled.map((s, i): ClusterSweepOutcome => {
    if (s.status === "fulfilled") return s.value;
    log.error("status: cluster sweep failed", { clusterId: list[i]!.id, error: errorMessage(s.reason) });
    return { clusterId: list[i]!.id, status: "failed", durationMs: 0, configurations: targets.get(list[i]!.id)?.length ?? 0, reason: classifyError(s.reason).message };
  });
  const behind = heads
    .then((found) => applyBehindBy(found, list.map((c) => c.id)))
    .catch((error: unknown) => log.warn("status: behind-by update failed", { error: errorMessage(error) }));
  // A slow Git host must not hold up the status of the fleet: past the grace period the
  // behind-by counts land in the background, and the next sweep starts on time.
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([behind, new Promise<void>((resolve) => (grace = setTimeout(resolve, o.timeoutMs)))]);
  clearTimeout(grace);
  return { clusters: outcomes, durationMs: Date.now() - started };
}

const globalForLoop = globalThis as unknown as { fleetlineStatusLoop?: NodeJS.Timeout };

/** Starts the background collector once per process; a sweep never overlaps the previous one. */
export function startStatusLoop(intervalMs = statusSettings().intervalMs) {
  if (globalForLoop.fleetlineStatusLoop) return;
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runStatusSweep()
      .catch((error) => log.error("status sweep failed", { error: errorMessage(error) }))
      .finally(() => {
        running = false;
      });
  };
  globalForLoop.fleetlineStatusLoop = setInterval(tick, intervalMs);
  globalForLoop.fleetlineStatusLoop.unref();
  setTimeout(tick, 0).unref();
}
