import "server-only";
import { and, eq, notInArray } from "drizzle-orm";
import { getDb } from "@/db";
import { policyReads, policyResultHistory, policyResults, policyViolations, type PolicyEngine } from "@/db/schema-policy";
import type { EngineReading } from "./read";

// Rows are written in batches: a cluster may report thousands of policies.
const BATCH = 200;

function insertBatched<T>(rows: T[], insert: (batch: T[]) => void): void {
  for (let start = 0; start < rows.length; start += BATCH) insert(rows.slice(start, start + BATCH));
}

/** Passing, for the trend: audited, and nothing failing or erroring. */
const isPassing = (r: { auditedAt: Date | null; fail: number; error: number }) => r.auditedAt !== null && r.fail + r.error === 0;

/**
 * One cluster's policy reading, stored: an engine read in full replaces its rows; one that
 * failed keeps its last rows (shown with when they were read) and records why; an engine the
 * cluster no longer serves is forgotten.
 */
export function persistPolicies(clusterId: string, readings: readonly EngineReading[], now: Date): void {
  const db = getDb();
  db.transaction((tx) => {
    const engines = readings.map((r) => r.engine);
    for (const table of [policyResults, policyViolations, policyReads] as const) {
      tx.delete(table).where(and(eq(table.clusterId, clusterId), engines.length > 0 ? notInArray(table.engine, engines) : undefined)).run();
    }
    for (const reading of readings) {
      const target = [policyReads.clusterId, policyReads.engine];
      if (!reading.ok) {
        // The last good read's time and counts stay with its rows.
        tx.insert(policyReads).values({ clusterId, engine: reading.engine, readAt: now, okAt: null, error: reading.error }).onConflictDoUpdate({ target, set: { readAt: now, error: reading.error } }).run();
        continue;
      }
      const engine: PolicyEngine = reading.engine;
      const before = new Map(
        tx
          .select({ policy: policyResults.policy, auditedAt: policyResults.auditedAt, fail: policyResults.fail, error: policyResults.error })
          .from(policyResults)
          .where(and(eq(policyResults.clusterId, clusterId), eq(policyResults.engine, engine)))
          .all()
          .map((r) => [r.policy, isPassing(r)]),
      );
      tx.delete(policyResults).where(and(eq(policyResults.clusterId, clusterId), eq(policyResults.engine, engine))).run();
      tx.delete(policyViolations).where(and(eq(policyViolations.clusterId, clusterId), eq(policyViolations.engine, engine))).run();
      const { policies, results, truncated } = reading.aggregated;
      insertBatched(
        policies.map(({ violations, ...p }) => ({ ...p, clusterId, violationsStored: violations.length, observedAt: now })),
        (batch) => tx.insert(policyResults).values(batch).onConflictDoNothing().run(),
      );
      insertBatched(
        policies.flatMap((p) => p.violations.map((v, ordinal) => ({ ...v, clusterId, engine, policy: p.policy, ordinal }))),
        (batch) => tx.insert(policyViolations).values(batch).onConflictDoNothing().run(),
      );
      // A history row when a pair starts or stops passing (or is first seen): the trend's deltas.
      insertBatched(
        policies.flatMap((p) => {
          const passing = isPassing(p);
          const previous = before.get(p.policy);
          return previous === passing ? [] : [{ clusterId, engine, policy: p.policy, at: now, passing, previousPassing: previous ?? null }];
        }),
        (batch) => tx.insert(policyResultHistory).values(batch).run(),
      );
      const read = { readAt: now, okAt: now, error: null, results, truncated };
      tx.insert(policyReads).values({ clusterId, engine, ...read }).onConflictDoUpdate({ target, set: read }).run();
    }
  });
}
