import "server-only";
import { eq, inArray, isNull, lte, or } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterFluxObjects, clusterHealth, clusterHealthEvents, clusters, type Cluster, type HealthState, type Reconciler } from "@/db/schema";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { classifyError, probeCluster, type ClusterProbe, type FluxObjectSummary } from "@/lib/k8s/discovery";
import { Deadline } from "@/lib/k8s/deadline";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { clientFor, forgetClientsExcept } from "@/lib/inventory/client-cache";

export type SweepOptions = {
  concurrency?: number;
  /** Whole-check deadline per cluster; each request inside is bounded by it too. */
  timeoutMs?: number;
  /** The regular interval between checks of a healthy cluster. */
  intervalMs?: number;
  /** Check these clusters now, whether or not they are due. */
  clusterIds?: string[];
  now?: () => number;
};

export type CheckOutcome = { clusterId: string; state: HealthState; durationMs: number; reason?: string };

/** The sweep's settings from the environment (defaults: every 60 s, 5 s per cluster, 32 at a time). */
export function healthSettings() {
  const e = env();
  return {
    concurrency: e.FLEETLINE_HEALTH_CONCURRENCY,
    timeoutMs: e.FLEETLINE_HEALTH_TIMEOUT_MS,
    intervalMs: e.FLEETLINE_HEALTH_INTERVAL_S * 1000,
  };
}
const MAX_BACKOFF_MS = 15 * 60_000;

/** Failing clusters are checked less and less often (exponential, jittered, capped), never in a storm. */
export function nextCheckDelay(consecutiveFailures: number, intervalMs: number, random = Math.random): number {
  if (consecutiveFailures === 0) return intervalMs;
  const backoff = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(consecutiveFailures - 1, 10));
  return Math.round(backoff * (0.8 + 0.4 * random()));
}

export function detectReconciler(probe: Pick<ClusterProbe, "flux" | "argo">): Reconciler | null {
  if (probe.flux.installed) return "flux";
  if (probe.argo.installed) return "argocd";
  return null;
}

/** A reachable cluster whose credentials may not read everything still says what is missing. */
export function forbiddenReason(calls: string[]): string {
  const shown = calls.slice(0, 4).join(", ");
  return `403 Forbidden: these credentials may not ${shown}${calls.length > 4 ? ` (and ${calls.length - 4} more)` : ""}`;
}

type Tx = Parameters<Parameters<ReturnType<typeof getDb>["transaction"]>[0]>[0];

/** The object list is a snapshot: replaced whole on every successful check. */
export function replaceFluxObjects(tx: Tx, clusterId: string, objects: FluxObjectSummary[], observedAt: Date) {
  tx.delete(clusterFluxObjects).where(eq(clusterFluxObjects.clusterId, clusterId)).run();
  for (let i = 0; i < objects.length; i += 200) {
    tx.insert(clusterFluxObjects)
      .values(objects.slice(i, i + 200).map((o) => ({ ...o, clusterId, observedAt })))
      .run();
  }
}


async function checkOne(cluster: Cluster, o: Required<Omit<SweepOptions, "clusterIds">>): Promise<CheckOutcome> {
  const started = o.now();
  const db = getDb();
  const previous = db.select().from(clusterHealth).where(eq(clusterHealth.clusterId, cluster.id)).get();
  let probe: ClusterProbe | undefined;
  let failure: { kind: string; message: string } | undefined;
  try {
    probe = await new Deadline(o.timeoutMs).race(probeCluster(clientFor(cluster, o.timeoutMs)));
  } catch (error) {
    failure = classifyError(error);
  }
  const now = o.now();
  const failures = probe ? 0 : (previous?.consecutiveFailures ?? 0) + 1;
  const state: HealthState = probe ? "reachable" : "unreachable";
  const reason = failure ? failure.message : probe?.forbidden.length ? forbiddenReason(probe.forbidden) : null;
  const row = {
    clusterId: cluster.id,
    state,
    reasonKind: failure?.kind ?? (reason ? "forbidden" : null),
    reason,
    checkedAt: new Date(now),
    nextCheckAt: new Date(now + nextCheckDelay(failures, o.intervalMs)),
    consecutiveFailures: failures,
    ...(probe
      ? {
          lastSeenAt: new Date(now),
          latencyMs: probe.latencyMs,
          kubernetesVersion: probe.kubernetesVersion,
          nodeCount: probe.nodeCount,
          fluxInstalled: probe.flux.installed,
          fluxVersion: probe.flux.version,
          fluxControllers: probe.flux.controllers,
          argoInstalled: probe.argo.installed,
          detectedReconciler: detectReconciler(probe),
          fluxObjectCounts: probe.fluxObjects,
        }
      : {}),
  };
  db.transaction((tx) => {
    tx.insert(clusterHealth).values(row).onConflictDoUpdate({ target: clusterHealth.clusterId, set: row }).run();
    if (probe) replaceFluxObjects(tx, cluster.id, probe.fluxObjectList, new Date(now));
    if (!previous || previous.state !== state || previous.reason !== reason) {
      tx.insert(clusterHealthEvents)
        .values({ clusterId: cluster.id, at: new Date(now), state, reason, kubernetesVersion: probe?.kubernetesVersion ?? null })
        .run();
    }
  });
  return { clusterId: cluster.id, state, durationMs: now - started, reason: reason ?? undefined };
}

/**
 * One pass over the clusters that are due (or the ones named): bounded concurrency, a deadline
 * per cluster, so one black-holed API server costs one slot for `timeoutMs` and nothing more.
 */
export async function runHealthSweep(options: SweepOptions = {}): Promise<CheckOutcome[]> {
  const defaults = healthSettings();
  const o = {
    concurrency: options.concurrency ?? defaults.concurrency,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    intervalMs: options.intervalMs ?? defaults.intervalMs,
    now: options.now ?? Date.now,
  };
  const db = getDb();
  const due = options.clusterIds
    ? db.select().from(clusters).where(inArray(clusters.id, options.clusterIds)).all()
    : db
        .select({ cluster: clusters })
        .from(clusters)
        .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
        // Never checked, or due now.
        .where(or(isNull(clusterHealth.clusterId), lte(clusterHealth.nextCheckAt, new Date(o.now()))))
        .all()
        .map((r) => r.cluster);
  if (!options.clusterIds) forgetClientsExcept(new Set(db.select({ id: clusters.id }).from(clusters).all().map((c) => c.id)));
  const settled = await mapWithConcurrency(due, o.concurrency, (c) => checkOne(c, o));
  return settled.map((s, i) =>
    s.status === "fulfilled" ? s.value : { clusterId: due[i]!.id, state: "unknown" as const, durationMs: 0, reason: String(s.reason) },
  );
}

const globalForLoop = globalThis as unknown as { fleetlineHealthLoop?: NodeJS.Timeout };

/** Starts the background sweep once per process; a tick never overlaps the previous one. */
export function startHealthLoop(tickMs = 2_000) {
  if (globalForLoop.fleetlineHealthLoop) return;
  let running = false;
  globalForLoop.fleetlineHealthLoop = setInterval(() => {
    if (running) return;
    running = true;
    runHealthSweep()
      .catch((error) => log.error("health sweep failed", { error: errorMessage(error) }))
      .finally(() => {
        running = false;
      });
  }, tickMs);
  globalForLoop.fleetlineHealthLoop.unref();
}
