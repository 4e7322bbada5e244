import "server-only";
import { and, eq, notInArray, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { backgroundWrite } from "@/db/busy";
import { batchedWrite } from "@/db/batch";
import { preparedOnce, rawPlaceholder } from "@/db/prepared";
import { textList } from "@/db/sql-dialect";
import { configurationStatus, configurationStatusHistory, objectStatus, type ConfigurationStatus } from "@/db/schema-status";
import { complianceChange, complianceEvent, driftChange, driftEntered, insertEvents } from "@/lib/notify/emit";
import type { NewNotificationEvent } from "@/db/schema-notifications";
import type { ObjectValues, StatusValues } from "@/lib/reconcilers/flux/rows";

const INSERT_CHUNK = 200;

// The statements every observation runs, prepared once per connection.
const statements = preparedOnce((db) => {
  const clusterId = sql.placeholder("clusterId");
  // Any number of clusters as one parameter (a JSON array of ids), so one prepared statement serves all.
  const ofClusters = (column: typeof configurationStatus.clusterId | typeof objectStatus.clusterId) => sql`${column} in ${textList(sql.placeholder("ids"))}`;
  const at = rawPlaceholder("at");
  return {
    rows: db.select().from(configurationStatus).where(eq(configurationStatus.clusterId, clusterId)).prepare(),
    objects: db.select().from(objectStatus).where(eq(objectStatus.clusterId, clusterId)).prepare(),
    touchRows: db.update(configurationStatus).set({ observedAt: at, lastSeenAt: rawPlaceholder("seen") }).where(ofClusters(configurationStatus.clusterId)).prepare(),
    touchRowsSeenKept: db.update(configurationStatus).set({ observedAt: at }).where(ofClusters(configurationStatus.clusterId)).prepare(),
    touchObjects: db.update(objectStatus).set({ observedAt: rawPlaceholder("objectsAt") }).where(ofClusters(objectStatus.clusterId)).prepare(),
  };
});

export function previousRows(clusterId: string): Map<string, ConfigurationStatus> {
  const rows = statements().rows.all({ clusterId });
  return new Map(rows.map((row) => [row.configurationId, row]));
}

function driftDetail(row: StatusValues): string | null {
  const n = row.configDrift?.length ?? 0;
  return n > 0 ? (n === 1 ? "1 object differs from the spec" : `${n} objects differ from the spec`) : null;
}

/**
 * One cluster's collection in one short transaction: rows upserted, a history row appended
 * for each pair whose state or reason changed, rows of configurations no longer targeting
 * the cluster removed, and (when the cluster answered) its object list replaced.
 */
export function persistCluster(clusterId: string, rows: readonly StatusValues[], previous: ReadonlyMap<string, ConfigurationStatus>, objects: readonly ObjectValues[] | undefined): Promise<void> {
  // A background write: when another process holds the lock it waits off the event loop.
  return backgroundWrite(getDb(), () => getDb().transaction((tx) => writeCluster(tx, clusterId, rows, previous, objects)), { deferWrites: true });
}

/**
 * As persistCluster, with the rows worked out inside the transaction from the rows stored at
 * that moment: two writers of one cluster (a pass, and a refresh from the watch cache) each
 * compare with what the other wrote, so no change is recorded twice or against a stale state.
 */
export function persistObserved(clusterId: string, compute: Compute, options: { batched?: boolean } = {}): Promise<PersistOutcome> {
  const write = () =>
    getDb().transaction(
      (tx): PersistOutcome => {
        const previous = previousRows(clusterId);
        const { rows, objects } = compute(previous);
        if (unchanged(clusterId, rows, previous, objects)) {
          touch(clusterId, rows[0]!, objects);
          persistCounters.touched += 1;
          return "touched";
        }
        writeCluster(tx, clusterId, rows, previous, objects);
        persistCounters.written += 1;
        return "written";
      },
      { behavior: "immediate" },
    );
  // Batched (a light pass): within one transaction with other passes' writes (db/batch.ts).
  return options.batched ? batchedWrite(getDb(), write) : backgroundWrite(getDb(), write, { deferWrites: true });
}

// How many clusters' writes found their rows as stored (touched) or wrote them (for bench-stats).
const persistCounters = { touched: 0, written: 0 };

/** Clusters whose rows a write found as stored (only the times moved) and clusters whose rows it wrote, since the process started. */
export function persistTotals(): Readonly<typeof persistCounters> {
  return { ...persistCounters };
}

/** "touched": only the times of observation moved (the rows and objects were as stored); "written": anything else. */
export type PersistOutcome = "touched" | "written";

/** What a touch with nothing worked out sets: the times of observation, as the last "touched" write set them. */
export type Touch = { objects: boolean; seen: "at" | "kept" | "cleared" };

/** The touch a "touched" write of these rows made, for touchObserved to repeat; undefined when it set a time other than the observation's. */
export function touchOf(rows: readonly StatusValues[], objects: readonly ObjectValues[] | undefined): Touch | undefined {
  const first = rows[0];
  if (!first) return undefined;
  const seen = first.lastSeenAt === undefined ? "kept" : first.lastSeenAt === null ? "cleared" : timeOf(first.lastSeenAt) === timeOf(first.observedAt) ? "at" : undefined;
  return seen && { objects: objects !== undefined, seen };
}

/**
 * Clusters whose rows the caller knows are what is stored (nothing they are worked out from has
 * changed, and nothing in them moves with time): only the times of observation move, as each
 * cluster's last touch moved them, with no read and nothing worked out. One statement per kind
 * of touch however many clusters, not one per cluster. Run inside the caller's write.
 */
export function touchClusters(clusters: readonly { clusterId: string; touch: Touch }[], at: number): void {
  const groups = new Map<string, { touch: Touch; ids: string[] }>();
  for (const { clusterId, touch } of clusters) {
    const key = `${touch.objects}:${touch.seen}`;
    const group = groups.get(key);
    if (group) group.ids.push(clusterId);
    else groups.set(key, { touch, ids: [clusterId] });
  }
  for (const { touch, ids } of groups.values()) {
    touchTimes(ids, { at, seen: touch.seen === "kept" ? undefined : touch.seen === "at" ? at : null, objectsAt: touch.objects ? at : undefined });
  }
}

/**
 * The times of observation of these clusters' rows: `at`, and the last seen time (`seen`;
 * undefined keeps it); their objects' too when `objectsAt` is given.
 */
function touchTimes(clusterIds: readonly string[], times: { at: number; seen: number | null | undefined; objectsAt: number | undefined }): void {
  const prepared = statements();
  const ids = JSON.stringify(clusterIds);
  if (times.objectsAt !== undefined) prepared.touchObjects.run({ ids, objectsAt: times.objectsAt });
  if (times.seen === undefined) prepared.touchRowsSeenKept.run({ ids, at: times.at });
  else prepared.touchRows.run({ ids, at: times.at, seen: times.seen });
}

/**
 * Whether rows worked out by `compute` (for example at a later time) equal what is stored for the
 * cluster now, the times of observation aside. Reads only.
 */
export function wouldBeUnchanged(clusterId: string, compute: Compute): boolean {
  const previous = previousRows(clusterId);
  const { rows, objects } = compute(previous);
  return unchanged(clusterId, rows, previous, objects);
}

type Compute = (previous: ReadonlyMap<string, ConfigurationStatus>) => { rows: readonly StatusValues[]; objects: readonly ObjectValues[] | undefined };

// When a value was read: moves on every observation, and alone is no change.
const TIMES_OF_OBSERVATION = new Set(["observedAt", "lastSeenAt"]);

const timeOf = (value: Date | null | undefined): number | null => value?.getTime() ?? null;

const comparable = (value: unknown): unknown => (value instanceof Date ? value.getTime() : value !== null && typeof value === "object" ? JSON.stringify(value) : (value ?? null));

/** Every value `next` sets equals the stored one, the times of observation aside. */
function sameValues(stored: Record<string, unknown>, next: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined || TIMES_OF_OBSERVATION.has(key)) continue;
    if (comparable(stored[key]) !== comparable(value)) return false;
  }
  return true;
}

const objectKey = (o: Pick<ObjectValues, "kind" | "namespace" | "name">) => `${o.kind}\0${o.namespace}\0${o.name}`;

/**
 * The common case of a pass over a fleet at rest: the cluster's rows and objects are what is
 * stored, one observation later. Then only the times of observation move, in two statements,
 * where a full write upserts every row and replaces every object (bench:fleet: the writes were
 * half the loop's CPU at rest).
 */
function unchanged(clusterId: string, rows: readonly StatusValues[], previous: ReadonlyMap<string, ConfigurationStatus>, objects: readonly ObjectValues[] | undefined): boolean {
  if (rows.length === 0 || rows.length !== previous.size) return false;
  const { observedAt, lastSeenAt } = rows[0]!;
  for (const row of rows) {
    const before = previous.get(row.configurationId);
    if (!before || timeOf(row.observedAt) !== timeOf(observedAt) || timeOf(row.lastSeenAt) !== timeOf(lastSeenAt)) return false;
    if (!sameValues(before, row)) return false;
  }
  if (!objects) return true;
  const stored = statements().objects.all({ clusterId });
  if (stored.length !== objects.length) return false;
  const byKey = new Map(stored.map((o) => [objectKey(o), o]));
  return objects.every((object) => {
    const before = byKey.get(objectKey(object));
    return before !== undefined && sameValues(before, object);
  });
}

function touch(clusterId: string, first: StatusValues, objects: readonly ObjectValues[] | undefined): void {
  const { observedAt, lastSeenAt } = first;
  touchTimes([clusterId], { at: observedAt.getTime(), seen: lastSeenAt === undefined ? undefined : timeOf(lastSeenAt), objectsAt: objects ? (objects[0]?.observedAt ?? observedAt).getTime() : undefined });
}

type Tx = Parameters<Parameters<ReturnType<typeof getDb>["transaction"]>[0]>[0];

function writeCluster(tx: Tx, clusterId: string, rows: readonly StatusValues[], previous: ReadonlyMap<string, ConfigurationStatus>, objects: readonly ObjectValues[] | undefined): void {
  const events: NewNotificationEvent[] = [];
  for (const row of rows) {
    // The key columns are "updated" to the values they already have; simpler than omitting them.
    tx.insert(configurationStatus)
      .values(row)
      .onConflictDoUpdate({ target: [configurationStatus.configurationId, configurationStatus.clusterId], set: row })
      .run();
    const before = previous.get(row.configurationId);
    if (!before || before.state !== row.state || before.reason !== (row.reason ?? null)) {
      tx.insert(configurationStatusHistory)
        .values({ configurationId: row.configurationId, clusterId, at: row.observedAt, state: row.state, previousState: before?.state ?? null, reason: row.reason ?? null })
        .run();
      const type = complianceEvent(before?.state, row.state);
      if (type) events.push(complianceChange(clusterId, row.configurationId, type, row.reason ?? null, row.observedAt));
    }
    if (driftEntered(before?.hasConfigDrift, row.hasConfigDrift)) events.push(driftChange(clusterId, row.configurationId, driftDetail(row), row.observedAt));
  }
  // The outbox for notifications: one statement for the cluster's changes, none when nothing changed.
  insertEvents(tx, events);
  const kept = rows.map((row) => row.configurationId);
  const stale = kept.length > 0 ? notInArray(configurationStatus.configurationId, kept) : undefined;
  tx.delete(configurationStatus).where(and(eq(configurationStatus.clusterId, clusterId), stale)).run();
  if (!objects) return;
  tx.delete(objectStatus).where(eq(objectStatus.clusterId, clusterId)).run();
  for (let i = 0; i < objects.length; i += INSERT_CHUNK) tx.insert(objectStatus).values(objects.slice(i, i + INSERT_CHUNK)).run();
}
