import "server-only";
import type { Cluster } from "@/db/schema";
import { createClusterClient, type ClusterClient } from "@/lib/k8s/client";
import { openCredentials } from "./credentials";

/** usedAt: when the client was last handed out (Date.now()). */
type Entry = { fingerprint: string; timeoutMs: number; client: ClusterClient; usedAt: number };

const globalForClients = globalThis as unknown as { fleetlineClients?: Map<string, Entry> };
const clients = (globalForClients.fleetlineClients ??= new Map());

/**
 * One client per cluster, kept between sweeps so its connection (one HTTP/2 session) is reused.
 * Rotated credentials change the fingerprint, which replaces the client and closes the old one's
 * connection (what was in flight on it finishes).
 */
export function clientFor(cluster: Pick<Cluster, "id" | "credentials" | "credentialsFingerprint">, timeoutMs: number): ClusterClient {
  const kept = keptClientFor(cluster, timeoutMs);
  if (kept) return kept;
  const client = createClusterClient(openCredentials(cluster), { timeoutMs });
  clients.get(cluster.id)?.client.close();
  clients.set(cluster.id, { fingerprint: cluster.credentialsFingerprint, timeoutMs, client, usedAt: Date.now() });
  return client;
}

/** The cluster's client when one is kept for these credentials and timeout; none is created and no credentials are opened. */
export function keptClientFor(cluster: Pick<Cluster, "id" | "credentialsFingerprint">, timeoutMs: number): ClusterClient | undefined {
  const cached = clients.get(cluster.id);
  if (!cached || cached.fingerprint !== cluster.credentialsFingerprint || cached.timeoutMs !== timeoutMs) return undefined;
  cached.usedAt = Date.now();
  return cached.client;
}

/** Drops (and closes) the clients of clusters that no longer exist, used or not. */
export function forgetClientsExcept(liveIds: Set<string>) {
  // No wait at all: a client used a moment ago (or "after" now, if the clock stepped back) goes too.
  closeIdleClientsExcept(liveIds, -Infinity);
}

/**
 * Closes the clients of clusters outside `keep` that nobody has asked for in `idleMs` (a replica's
 * clusters that moved to another replica: their connections and watches' memory stay here
 * otherwise; bench:fleet with two replicas, one kept 1,493 connections for 990 clusters of its
 * own). A drift view or verb on such a cluster opens one again; the wait leaves one in use alone.
 * Returns how many were closed.
 */
export function closeIdleClientsExcept(keep: ReadonlySet<string>, idleMs: number, now = Date.now()): number {
  let closed = 0;
  for (const [id, entry] of clients) {
    if (keep.has(id) || now - entry.usedAt < idleMs) continue;
    entry.client.close();
    clients.delete(id);
    closed++;
  }
  return closed;
}

/** For the benchmark's stats line: the cached clients, their open HTTP/2 sessions, sessions opened so far, streams open. */
export async function connectionTotals(): Promise<{ clients: number; h2Open: number; h2Opened: number; streams: number }> {
  const states = await Promise.all([...clients.values()].map((entry) => entry.client.connectionState().catch(() => undefined)));
  const totals = { clients: clients.size, h2Open: 0, h2Opened: 0, streams: 0 };
  for (const state of states) {
    if (!state) continue;
    if (state.protocol === "h2" && state.open) totals.h2Open++;
    totals.h2Opened += state.sessionsOpened;
    totals.streams += state.streams;
  }
  return totals;
}
