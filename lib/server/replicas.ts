import "server-only";
import crypto from "node:crypto";
import os from "node:os";
import { and, asc, eq, gt, lt, ne } from "drizzle-orm";
import { getDb } from "@/db";
import { getMembershipDb } from "@/db/membership";
import { backgroundWrite } from "@/db/busy";
import { clusters } from "@/db/schema";
import { replicas } from "@/db/schema-replicas";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { closeIdleClientsExcept } from "@/lib/inventory/client-cache";
import { stopWatches, stopWatchesExcept } from "@/lib/observe/watches";
import { releaseLease, takeLease } from "./leases";
import { rendezvousOwner } from "./rendezvous";

// Several portal processes on one database (issue 17): each registers a row and heartbeats; the
// live rows divide the clusters by rendezvous hashing, so each cluster is observed by one replica
// per interval and a dead replica's share moves (and only its share) once its heartbeat is older
// than the TTL. Work exactly one replica does (retention, waiver expiries) goes by a named lease.

// A client of a cluster another replica observes is closed once unused this long (a drift view or a
// verb here on that cluster is done well within it).
const IDLE_CLIENT_MS = 60_000;

const globalForReplicas = globalThis as unknown as { fleetlineReplicaId?: string; fleetlineReplica?: Membership };

/** This process's name among the replicas: FLEETLINE_REPLICA_ID, else hostname-pid-random. */
export function replicaId(): string {
  globalForReplicas.fleetlineReplicaId ??= env().FLEETLINE_REPLICA_ID ?? `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString("hex")}`;
  return globalForReplicas.fleetlineReplicaId;
}

type Membership = {
  id: string;
  instance: string;
  ttlMs: number;
  heartbeatMs: number;
  /** How long a cluster taken from a live replica waits, so a pass that replica had started ends first. */
  graceMs: number;
  leaseNames: readonly string[];
  idleClientMs: number;
  /** Sorted ids of the live replicas at the last look, and each cluster's owner among them. */
  live: readonly string[] | undefined;
  owners: Map<string, string | undefined>;
  /** Clusters taken over from a replica that died: observed at the next tick, whether due or not. */
  arrived: Set<string>;
  heldUntil: Map<string, number>;
  /** Until when this replica may act on each lease it took (renewed every heartbeat). */
  leases: Map<string, number>;
  ownedClusters: number;
  timer?: NodeJS.Timeout;
  beating: boolean;
  warnedDuplicate: boolean;
};

export type ReplicaOptions = {
  ttlMs?: number;
  leases?: readonly string[];
  /** How long a client of a cluster another replica observes may stay unused here before it is closed (default 60 s). */
  idleClientMs?: number;
};

/**
 * Registers this process and heartbeats (every third of the TTL, at most 5 s). The first
 * heartbeat and lease take are synchronous, so timers started after this know at once whether
 * they hold their lease. Once per process.
 */
export function startReplicaMembership(options: ReplicaOptions = {}): void {
  if (globalForReplicas.fleetlineReplica) return;
  const e = env();
  const ttlMs = options.ttlMs ?? e.FLEETLINE_REPLICA_TTL_S * 1000;
  const m: Membership = {
    id: replicaId(),
    instance: crypto.randomUUID(),
    ttlMs,
    heartbeatMs: Math.max(1000, Math.min(5000, Math.floor(ttlMs / 3))),
    graceMs: e.FLEETLINE_HEALTH_TIMEOUT_MS + 2000,
    leaseNames: options.leases ?? [],
    idleClientMs: options.idleClientMs ?? IDLE_CLIENT_MS,
    live: undefined,
    owners: new Map(),
    arrived: new Set(),
    heldUntil: new Map(),
    leases: new Map(),
    ownedClusters: 0,
    beating: false,
    warnedDuplicate: false,
  };
  globalForReplicas.fleetlineReplica = m;
  const now = Date.now();
  writeHeartbeat(m, now, { restarted: true });
  for (const name of m.leaseNames) if (takeLease(name, m.id, ttlMs, now)) m.leases.set(name, now + ttlMs - m.heartbeatMs);
  log.info("replica registered", { replica: m.id, ttlSeconds: ttlMs / 1000 });
  m.timer = setInterval(() => void heartbeat(m), m.heartbeatMs);
  m.timer.unref();
}

/** A clean shutdown: the row and the leases go at once, so the others take over without waiting for the TTL. */
export function stopReplicaMembership(): void {
  const m = globalForReplicas.fleetlineReplica;
  if (!m) return;
  clearInterval(m.timer);
  for (const name of m.leaseNames) releaseLease(name, m.id);
  getMembershipDb()
    .delete(replicas)
    .where(and(eq(replicas.id, m.id), eq(replicas.instance, m.instance)))
    .run();
  globalForReplicas.fleetlineReplica = undefined;
}

/** The row is written again whole if someone removed it (this replica was stalled past the TTL). */
function writeHeartbeat(m: Membership, now: number, { restarted = false } = {}): void {
  const row = { host: os.hostname(), pid: process.pid, instance: m.instance, heartbeatAt: new Date(now) };
  getMembershipDb()
    .insert(replicas)
    .values({ id: m.id, ...row, startedAt: new Date(now) })
    .onConflictDoUpdate({ target: replicas.id, set: restarted ? { ...row, startedAt: new Date(now) } : row })
    .run();
}

async function heartbeat(m: Membership): Promise<void> {
  if (m.beating) return;
  m.beating = true;
  try {
    // Its own file on SQLite (db/membership.ts): a heartbeat never waits for the observation's writes.
    const db = getMembershipDb();
    const now = Date.now();
    await backgroundWrite(
      db,
      () => {
        const row = db.select({ instance: replicas.instance }).from(replicas).where(eq(replicas.id, m.id)).get();
        if (row && row.instance !== m.instance && !m.warnedDuplicate) {
          m.warnedDuplicate = true;
          log.error("another process heartbeats as this replica: give each process its own FLEETLINE_REPLICA_ID", { replica: m.id });
        }
        writeHeartbeat(m, now);
        // Whoever notices first removes replicas whose heartbeat stopped.
        db.delete(replicas)
          .where(and(lt(replicas.heartbeatAt, new Date(now - m.ttlMs)), ne(replicas.id, m.id)))
          .run();
      },
      { budgetMs: m.heartbeatMs },
    );
    await renewLeases(m, Date.now());
    sweepWatches(m, Date.now());
  } catch (error) {
    log.warn("replica heartbeat failed", { replica: m.id, error: errorMessage(error) });
  } finally {
    m.beating = false;
  }
}

async function renewLeases(m: Membership, now: number): Promise<void> {
  for (const name of m.leaseNames) {
    try {
      const held = await backgroundWrite(getDb(), () => takeLease(name, m.id, m.ttlMs, now), { budgetMs: m.heartbeatMs });
      // Acted on for a heartbeat less than the lease runs: a renewal that fails stops the work
      // here before another replica may take the lease.
      if (held) m.leases.set(name, now + m.ttlMs - m.heartbeatMs);
      else m.leases.delete(name);
    } catch (error) {
      log.debug("lease not renewed", { lease: name, error: errorMessage(error) });
    }
  }
}

/** Whether this replica holds the named lease now (true when membership was never started: one process does everything). */
export function holdsLease(name: string, now = Date.now()): boolean {
  const m = globalForReplicas.fleetlineReplica;
  if (!m) return true;
  return (m.leases.get(name) ?? 0) > now;
}

/**
 * The live replicas, as every replica sees them: rows whose heartbeat is younger than the TTL.
 * This one counts only while its own heartbeat is, so a replica stalled past the TTL stops
 * working its old share by itself at the moment the others take it over. With no other replica
 * live, nobody takes it over, and it keeps its share: giving it up stopped every watch, and its
 * next heartbeat handed every cluster back to be observed at once (bench:fleet, 500 registrations:
 * a 9.3 s stall of the event loop, while the benchmark had it write a heap snapshot).
 */
function readLive(m: Membership, now: number): string[] {
  const live = getMembershipDb()
    .select({ id: replicas.id })
    .from(replicas)
    .where(gt(replicas.heartbeatAt, new Date(now - m.ttlMs)))
    .orderBy(asc(replicas.id))
    .all()
    .map((r) => r.id);
  return live.length === 0 ? [m.id] : live;
}

function ownerOf(m: Membership, clusterId: string): string | undefined {
  if (!m.owners.has(clusterId)) m.owners.set(clusterId, rendezvousOwner(clusterId, m.live ?? []));
  return m.owners.get(clusterId);
}

/**
 * A change of the live set: clusters that leave this replica stop their watches; clusters that
 * arrive from a replica that died are observed at once; clusters that arrive from a live one
 * (a replica joined, or this one came back) wait the grace period, so the pass that replica may
 * still have running ends before this one starts. The first look compares with the others alone:
 * a single replica takes its clusters on their usual schedule, as before replicas existed.
 */
function applyLiveSet(m: Membership, live: string[], now: number): void {
  const before = m.live ?? live.filter((id) => id !== m.id);
  const liveSet = new Set(live);
  const ids = getDb().select({ id: clusters.id }).from(clusters).all();
  const owners = new Map<string, string | undefined>();
  for (const { id } of ids) {
    const previous = rendezvousOwner(id, before);
    const next = rendezvousOwner(id, live);
    owners.set(id, next);
    if (previous === m.id && next !== m.id) {
      stopWatches(id);
      m.arrived.delete(id);
      m.heldUntil.delete(id);
    } else if (previous !== m.id && next === m.id) {
      if (previous !== undefined && liveSet.has(previous)) m.heldUntil.set(id, now + m.graceMs);
      else if (m.live !== undefined) m.arrived.add(id);
    }
  }
  if (m.live !== undefined) log.info("replicas changed", { replica: m.id, live: live.length, owned: [...owners.values()].filter((o) => o === m.id).length });
  m.live = live;
  m.owners = owners;
}

/**
 * The observation loop's filter: of the clusters it found due, the ones this replica observes,
 * plus those it has just taken over from a replica that died. Without membership (one process,
 * FLEETLINE_BACKGROUND off in tests), everything.
 */
export function replicaShare(dueIds: readonly string[], now = Date.now()): string[] {
  const m = globalForReplicas.fleetlineReplica;
  if (!m) return [...dueIds];
  const live = readLive(m, now);
  if (m.live === undefined || live.join("\n") !== m.live.join("\n")) applyLiveSet(m, live, now);
  const mine = new Set<string>();
  for (const id of dueIds) {
    if (ownerOf(m, id) !== m.id) continue;
    const held = m.heldUntil.get(id);
    if (held !== undefined) {
      if (held > now) continue;
      m.heldUntil.delete(id);
    }
    mine.add(id);
  }
  for (const id of m.arrived) if (ownerOf(m, id) === m.id) mine.add(id);
  m.arrived.clear();
  return [...mine];
}

/**
 * Every heartbeat while more than one replica is live: the watches of clusters that are no
 * longer this replica's stop (a pass in flight when its cluster moved may have started some),
 * their clients close once unused for a minute, and the count of owned clusters is refreshed for
 * /api/health.
 */
function sweepWatches(m: Membership, now: number): void {
  if (m.live === undefined) replicaShare([], now);
  const ids = getDb().select({ id: clusters.id }).from(clusters).all();
  const owned = new Set(ids.filter(({ id }) => ownerOf(m, id) === m.id).map(({ id }) => id));
  m.ownedClusters = owned.size;
  if ((m.live?.length ?? 0) > 1) {
    stopWatchesExcept(owned);
    closeIdleClientsExcept(owned, m.idleClientMs, now);
  }
}

/** For /api/health: ids and counts only. Null when this process does no background work. */
export function replicaHealth(): { id: string; live: number; ownedClusters: number; leases: string[] } | null {
  const m = globalForReplicas.fleetlineReplica;
  if (!m) return null;
  const now = Date.now();
  return { id: m.id, live: m.live?.length ?? 1, ownedClusters: m.ownedClusters, leases: [...m.leases].filter(([, until]) => until > now).map(([name]) => name) };
}
