import "server-only";
import type { Cluster } from "@/db/schema";
import { env } from "@/lib/env";
import { ClusterError, type ClusterClient, type KubeObject } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/errors";
import { clientFor } from "@/lib/inventory/client-cache";
import { isKindLevelFailure } from "@/lib/reconcilers/flux/list";
import type { ReconcilerModule } from "@/lib/reconcilers";
import type { Collection, Listing } from "@/lib/reconcilers/types";
import { errorMessage, log } from "@/lib/log";
import { abortableSleep } from "@/lib/abortable-sleep";
import { WeakPool } from "@/lib/weak-pool";
import { internStrings } from "./intern";

/**
 * The watch cache: for each cluster, the reconciler kinds its configurations use, listed once and
 * then watched (with bookmarks), relisted on 410 Gone and after a dropped connection. Status rows
 * are worked out from it when an event arrives, with no request to the cluster; the observation
 * loop's passes use it instead of listing while every kind it needs is in sync.
 */

type KindState = "listing" | "synced" | "failed" | "unserved" | "stale";

type KindWatch = {
  kind: string;
  state: KindState;
  /** Why a kind-level failure (500, 429, 403) left the kind unreadable. */
  reason?: string;
  objects: Map<string, KubeObject>;
};

type ClusterWatch = {
  clusterId: string;
  fingerprint: string;
  reconciler: string;
  client: ClusterClient;
  kinds: Map<string, KindWatch>;
  /**
   * Stops every kind's follower. One for the cluster, not one a kind: an AbortSignal with its
   * listener maps is about 700 bytes, held for as long as the cluster is followed; a kind no
   * longer needed (rare: a configuration changed) starts the cluster's followers over instead.
   */
  stop: AbortController;
  onChange: () => void;
  /** A watch's connection failed: the cluster may be down, and is worth observing now. */
  onLost: () => void;
  debounce?: NodeJS.Timeout;
  /** Moves whenever what the cache holds for the cluster may have changed (watchGeneration). */
  generation: number;
};

const globalForWatches = globalThis as unknown as { fleetlineWatches?: Map<string, ClusterWatch>; fleetlineWatchGenerations?: { last: number } };
const watches = (globalForWatches.fleetlineWatches ??= new Map());
// One counter for every cluster's cache: a cache started over never repeats a generation.
const generations = (globalForWatches.fleetlineWatchGenerations ??= { last: 0 });
const moved = (watch: ClusterWatch) => (watch.generation = ++generations.last);
// What the watches received since the process started (for bench-stats): events, lists (first and relists), failures.
const received = { events: 0, lists: 0, failures: 0 };

// Events that arrive together (a controller writing status on several objects) are worked out once.
const DEBOUNCE_MS = 150;
const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

const keyOf = (object: KubeObject) => `${object.metadata.namespace ?? ""}/${object.metadata.name}`;

export type FollowHandlers = {
  /** The whole collection as just listed (first, and after every relist). */
  snapshot(objects: KubeObject[]): void;
  event(type: "ADDED" | "MODIFIED" | "DELETED", object: KubeObject): void;
  /** The kind cannot be read or followed for now (the reason), or is not served (null path). */
  failed(error: unknown): void;
};

/**
 * Lists one collection and follows it until `signal` fires: watch from the list's
 * resourceVersion, resume after the server ends a watch, list again on 410 Gone and after any
 * failure (with jittered backoff). `initialResourceVersion` starts with a watch instead of a list.
 */
export async function followCollection(client: ClusterClient, collection: Collection, handlers: FollowHandlers, signal: AbortSignal, options: { initialResourceVersion?: string } = {}): Promise<void> {
  if (!collection.path) return;
  const path = collection.path;
  const query = `?labelSelector=${encodeURIComponent(collection.labelSelector)}`;
  // What the cache keeps: its kind, the lean metadata, one copy of each string (internStrings).
  const withKind = (object: KubeObject): KubeObject => internStrings({ ...object, apiVersion: collection.apiVersion, kind: collection.kind, metadata: lean(object.metadata) });
  let retryMs = MIN_RETRY_MS;
  let resourceVersion = options.initialResourceVersion;
  while (!signal.aborted) {
    try {
      resourceVersion ??= await listInto(handlers, () => client.withSignal(signal).list(path, { labelSelector: collection.labelSelector }), withKind);
      const end = await client.watch(`${path}${query}`, resourceVersion, (event) => handlers.event(event.type, withKind(event.object)), signal);
      if (end.outcome === "aborted") return;
      if (end.outcome === "relist") resourceVersion = undefined;
      else resourceVersion = end.resourceVersion;
      retryMs = MIN_RETRY_MS;
    } catch (error) {
      if (signal.aborted) return;
      handlers.failed(error);
      resourceVersion = undefined;
      await abortableSleep(Math.round(retryMs * (0.8 + 0.4 * Math.random())), signal);
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    }
  }
}

/**
 * Lists the collection, hands the cache its objects, and returns the list's resourceVersion. In a
 * frame of its own: an async function's suspended frame keeps its locals, and the watch that
 * follows waits for up to an hour, so a list read in the follower's frame kept every object as the
 * server sent it (field sets and all) beside the cache's copy, per watched kind (a heap snapshot at
 * 400 clusters: 800 lists).
 */
async function listInto(handlers: FollowHandlers, list: () => Promise<{ metadata: { resourceVersion?: string }; items: KubeObject[] }>, withKind: (object: KubeObject) => KubeObject): Promise<string> {
  const listed = await list();
  handlers.snapshot(listed.items.map(withKind));
  return listed.metadata.resourceVersion ?? "0";
}

/**
 * An object's metadata as the cache keeps it: the managedFields entries of status writes without
 * their field sets. Those are the controller's (conditions, inventory, history: often most of the
 * object) and nothing reads them: configuration drift and "spec written at" read the other
 * entries, and the status itself is kept. A status write is an entry of the status sub-resource,
 * or (API servers before 1.22 do not name the sub-resource) one whose fields are all in status.
 */
export function lean(metadata: KubeObject["metadata"]): KubeObject["metadata"] {
  const entries = metadata.managedFields;
  if (!Array.isArray(entries)) return metadata;
  return { ...metadata, managedFields: entries.map((entry: unknown) => (isStatusWrite(entry) ? withoutFields(entry) : withSharedFields(entry))) };
}

/** The entry without its field set, built without it (a `delete` leaves an object in dictionary mode, several times larger). */
function withoutFields(entry: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) if (key !== "fieldsV1") kept[key] = entry[key];
  return kept;
}

/**
 * The entry with its field set replaced by the one copy the cache holds of it. A configuration
 * applied to many clusters leaves the same field set (Fleetline's apply entry) on every one: a
 * tree of one object per field owned, mostly `{}`, which the cache held once per cluster (at 500
 * clusters, 62,000 empty objects). The copies are frozen (nothing may write through one into
 * another cluster's) and held weakly: a set no cached object keeps is forgotten.
 */
function withSharedFields(entry: unknown): unknown {
  if (typeof entry !== "object" || entry === null) return entry;
  const { fieldsV1 } = entry as { fieldsV1?: unknown };
  if (typeof fieldsV1 !== "object" || fieldsV1 === null) return entry;
  return { ...entry, fieldsV1: sharedFieldSet(fieldsV1) };
}

const fieldSets = new WeakPool<object>();

/** The one copy of this field set (equal JSON, equal set), frozen. */
function sharedFieldSet(fields: object): object {
  const key = JSON.stringify(fields);
  const known = fieldSets.one(key, fields);
  if (known === fields) deepFreeze(fields);
  return known;
}

function deepFreeze(value: object): void {
  for (const child of Object.values(value)) if (typeof child === "object" && child !== null) deepFreeze(child);
  Object.freeze(value);
}

function isStatusWrite(entry: unknown): entry is Record<string, unknown> {
  if (typeof entry !== "object" || entry === null) return false;
  const { subresource, fieldsV1 } = entry as { subresource?: unknown; fieldsV1?: unknown };
  if (typeof fieldsV1 !== "object" || fieldsV1 === null) return false;
  const keys = Object.keys(fieldsV1);
  return subresource === "status" || (keys.length > 0 && keys.every((key) => key === "f:status"));
}

function startKind(watch: ClusterWatch, collection: Collection): KindWatch {
  const entry: KindWatch = { kind: collection.kind, state: collection.path ? "listing" : "unserved", objects: new Map() };
  if (!collection.path) return entry;
  const changed = () => {
    moved(watch);
    if (watch.debounce) return;
    watch.debounce = setTimeout(() => {
      watch.debounce = undefined;
      watch.onChange();
    }, DEBOUNCE_MS);
    watch.debounce.unref();
  };
  void followCollection(
    watch.client,
    collection,
    {
      snapshot(objects) {
        received.lists += 1;
        entry.objects = new Map(objects.map((o) => [keyOf(o), o]));
        entry.state = "synced";
        delete entry.reason;
        changed();
      },
      event(type, object) {
        received.events += 1;
        if (type === "DELETED") entry.objects.delete(keyOf(object));
        else entry.objects.set(keyOf(object), object);
        changed();
      },
      failed(error) {
        received.failures += 1;
        if (error instanceof ClusterError && error.kind === "not-found") {
          entry.state = "unserved";
          entry.objects.clear();
          moved(watch);
        } else if (isKindLevelFailure(error)) {
          // As a listing reports it: the kind is unreadable, the cluster stays reachable.
          entry.state = "failed";
          entry.reason = `listing ${collection.path} failed: ${classifyError(error).message}`;
          entry.objects.clear();
          moved(watch);
        } else {
          // The connection: a pass finds out now whether the cluster is down.
          entry.state = "stale";
          moved(watch);
          watch.onLost();
        }
        log.debug("watch: kind not followed", { clusterId: watch.clusterId, kind: collection.kind, error: errorMessage(error) });
      },
    },
    watch.stop.signal,
  ).catch((error: unknown) => log.error("watch: follower ended", { clusterId: watch.clusterId, kind: collection.kind, error: errorMessage(error) }));
  return entry;
}

/** The cluster's one client (its watches go over sockets of their own, on one TLS context). */
function watchClient(cluster: Cluster): ClusterClient {
  return clientFor(cluster, env().FLEETLINE_HEALTH_TIMEOUT_MS);
}

/**
 * Follows exactly `kinds` of `reconciler` on the cluster (the kinds its configurations use):
 * starts what is missing, and starts over when a kind is no longer needed or the credentials or
 * the reconciler changed. `onChange` runs (debounced) after the cache changed, `onLost` when a
 * watch's connection failed.
 */
export async function ensureWatches(cluster: Cluster, reconciler: ReconcilerModule, kinds: ReadonlySet<string>, onChange: () => void, onLost: () => void = () => undefined): Promise<void> {
  let watch = watches.get(cluster.id);
  const dropped = watch && [...watch.kinds.keys()].some((kind) => !kinds.has(kind));
  if (watch && (dropped || watch.fingerprint !== cluster.credentialsFingerprint || watch.reconciler !== reconciler.id)) {
    stopWatches(cluster.id);
    watch = undefined;
  }
  if (kinds.size === 0) {
    if (watch) stopWatches(cluster.id);
    return;
  }
  if (!watch) {
    watch = { clusterId: cluster.id, fingerprint: cluster.credentialsFingerprint, reconciler: reconciler.id, client: watchClient(cluster), kinds: new Map(), stop: new AbortController(), onChange, onLost, generation: ++generations.last };
    watches.set(cluster.id, watch);
  }
  watch.onChange = onChange;
  watch.onLost = onLost;
  const missing = [...kinds].filter((kind) => !watch.kinds.has(kind));
  if (missing.length === 0) return;
  const collections = await reconciler.collections(watch.client);
  if (watches.get(cluster.id) !== watch) return;
  for (const collection of collections) {
    if (!missing.includes(collection.kind) || watch.kinds.has(collection.kind)) continue;
    watch.kinds.set(collection.kind, startKind(watch, collection));
    moved(watch);
  }
}

/**
 * Where the cluster's cache stands: a number that moves on every snapshot, event, failure and
 * change of the kinds followed (undefined when the cluster is not followed). Rows worked out from
 * the cache at one generation are what the cache says until it moves.
 */
export function watchGeneration(clusterId: string): number | undefined {
  return watches.get(clusterId)?.generation;
}

/**
 * The cached listing of `kinds` when every one of them is in sync (or known not served, or
 * unreadable with a kind-level reason); undefined while any is being listed or its connection
 * failed: then the caller lists for itself.
 */
export function watchedListing(clusterId: string, kinds: ReadonlySet<string>): Listing | undefined {
  const watch = watches.get(clusterId);
  if (!watch || kinds.size === 0) return undefined;
  const objects: KubeObject[] = [];
  const unservedKinds = new Set<string>();
  const failedKinds = new Map<string, string>();
  for (const kind of kinds) {
    const entry = watch.kinds.get(kind);
    if (!entry || entry.state === "listing" || entry.state === "stale") return undefined;
    if (entry.state === "unserved") unservedKinds.add(kind);
    else if (entry.state === "failed") failedKinds.set(kind, entry.reason ?? `listing ${kind} failed`);
    else objects.push(...entry.objects.values());
  }
  return { objects, unservedKinds, failedKinds };
}

export function stopWatches(clusterId: string): void {
  const watch = watches.get(clusterId);
  if (!watch) return;
  watch.stop.abort();
  clearTimeout(watch.debounce);
  watches.delete(clusterId);
}

/** Stops the watches of clusters that no longer exist. */
export function stopWatchesExcept(liveIds: ReadonlySet<string>): void {
  for (const id of [...watches.keys()]) if (!liveIds.has(id)) stopWatches(id);
}

export function stopAllWatches(): void {
  for (const id of [...watches.keys()]) stopWatches(id);
}

/** What the watches have received since the process started: events, lists (first and relists) and failures. */
export function watchTotals(): Readonly<typeof received> {
  return { ...received };
}

/** Counts for /api/health and the benchmark: clusters followed, open watches, kinds in sync. */
export function watchStats(): { clusters: number; kinds: number; synced: number } {
  let kinds = 0;
  let synced = 0;
  for (const watch of watches.values()) {
    for (const entry of watch.kinds.values()) {
      if (entry.state === "unserved") continue;
      kinds += 1;
      if (entry.state === "synced") synced += 1;
    }
  }
  return { clusters: watches.size, kinds, synced };
}
