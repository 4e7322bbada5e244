import "server-only";
import { setImmediate as nextTurn } from "node:timers/promises";
import { sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { UNFINISHED_ROLLOUT_STATES } from "@/db/schema-configurations";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";

// Retention (issue 17): rows that only grow are kept for configured periods and pruned in small
// batches, the event loop free between them, so a first prune of years of rows never holds the
// database or the server. History tables keep each pair's newest row whatever its age: the
// compliance and policy trends walk back from it, and a pair that has not changed in a year is
// still known. A rollout is kept while unfinished and while it is its configuration's latest.

const DAY_MS = 86_400_000;
export const RETENTION_BATCH = 500;

type Rule = { name: string; batch: (cutoff: number, now: number, limit: number) => SQL; cutoff: (now: number) => number };

const unfinished = sql.join(
  UNFINISHED_ROLLOUT_STATES.map((s) => sql`${s}`),
  sql`, `,
);

function rules(): Rule[] {
  const e = env();
  const days = (n: number) => (now: number) => now - n * DAY_MS;
  return [
    { name: "audit_log", cutoff: days(e.FLEETLINE_RETAIN_AUDIT_DAYS), batch: (cutoff, _now, limit) => sql`delete from audit_log where id in (select id from audit_log where at < ${cutoff} order by at limit ${limit})` },
    {
      name: "configuration_status_history",
      cutoff: days(e.FLEETLINE_RETAIN_HISTORY_DAYS),
      batch: (cutoff, _now, limit) => sql`delete from configuration_status_history where id in (
        select h.id from configuration_status_history h where h.at < ${cutoff}
          and exists (select 1 from configuration_status_history n where n.cluster_id = h.cluster_id and n.configuration_id = h.configuration_id and n.at > h.at)
        limit ${limit})`,
    },
    {
      name: "policy_result_history",
      cutoff: days(e.FLEETLINE_RETAIN_HISTORY_DAYS),
      // No id column: a row is its pair and time (row values, which both databases compare).
      batch: (cutoff, _now, limit) => sql`delete from policy_result_history where (cluster_id, engine, policy, at) in (
        select h.cluster_id, h.engine, h.policy, h.at from policy_result_history h where h.at < ${cutoff}
          and exists (select 1 from policy_result_history n where n.cluster_id = h.cluster_id and n.engine = h.engine and n.policy = h.policy and n.at > h.at)
        limit ${limit})`,
    },
    {
      name: "cluster_health_events",
      cutoff: days(e.FLEETLINE_RETAIN_HISTORY_DAYS),
      batch: (cutoff, _now, limit) => sql`delete from cluster_health_events where id in (
        select h.id from cluster_health_events h where h.at < ${cutoff}
          and exists (select 1 from cluster_health_events n where n.cluster_id = h.cluster_id and n.at > h.at)
        limit ${limit})`,
    },
    {
      // Their clusters' rows go with them (cascade).
      name: "rollouts",
      cutoff: days(e.FLEETLINE_RETAIN_ROLLOUT_DAYS),
      batch: (cutoff, _now, limit) => sql`delete from rollouts where id in (
        select r.id from rollouts r where r.finished_at < ${cutoff} and r.state not in (${unfinished})
          and exists (select 1 from rollouts n where n.configuration_id = r.configuration_id and n.sequence > r.sequence)
        limit ${limit})`,
    },
    {
      name: "sessions",
      cutoff: days(e.FLEETLINE_RETAIN_SESSION_DAYS),
      batch: (cutoff, _now, limit) => sql`delete from sessions where id in (select id from sessions where expires_at < ${cutoff} or revoked_at < ${cutoff} limit ${limit})`,
    },
    {
      // Failed-login counters whose 15-minute window and lock are long over: a day is ample.
      name: "login_throttle",
      cutoff: days(1),
      batch: (cutoff, now, limit) =>
        sql`delete from login_throttle where key in (select key from login_throttle where window_started_at < ${cutoff} and (locked_until is null or locked_until < ${now}) limit ${limit})`,
    },
  ];
}

/** One prune of every table, a batch at a time; returns the rows removed per table. */
export async function pruneOnce(now = Date.now(), batchSize = RETENTION_BATCH): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  const db = getDb();
  for (const rule of rules()) {
    const cutoff = rule.cutoff(now);
    let total = 0;
    for (;;) {
      const { changes } = db.run(rule.batch(cutoff, now, batchSize));
      total += changes;
      if (changes < batchSize) break;
      await nextTurn();
    }
    removed[rule.name] = total;
  }
  return removed;
}

const globalForRetention = globalThis as unknown as { fleetlineRetentionTimer?: NodeJS.Timeout; fleetlinePruning?: boolean };

/**
 * Prunes an hour after start and every hour after (background work; once per process), when
 * `onlyIf` says so: with several replicas, on the one holding the retention lease.
 */
export function startRetentionTimer(everyMs = 3_600_000, onlyIf: () => boolean = () => true): void {
  if (globalForRetention.fleetlineRetentionTimer) return;
  globalForRetention.fleetlineRetentionTimer = setInterval(() => {
    if (globalForRetention.fleetlinePruning || !onlyIf()) return;
    globalForRetention.fleetlinePruning = true;
    pruneOnce()
      .then((removed) => {
        if (Object.values(removed).some((n) => n > 0)) log.info("retention: pruned old rows", removed);
      })
      .catch((error: unknown) => log.error("retention: prune failed", { error: errorMessage(error) }))
      .finally(() => (globalForRetention.fleetlinePruning = false));
  }, everyMs);
  globalForRetention.fleetlineRetentionTimer.unref();
}
