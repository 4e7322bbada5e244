import "server-only";
import { and, eq, notInArray } from "drizzle-orm";
import { getDb } from "@/db";
import { policyReads, policyResults, policyViolations, type PolicyEngine } from "@/db/schema-policy";
import type { EngineReading } from "./read";

// Rows are written in batches: a cluster may report thousands of policies.
const BATCH = 200;

function insertBatched<T>(rows: T[], insert: (batch: T[]) => void): void {
  for (let start = 0; start < rows.length; start += BATCH) insert(rows.slice(start, start + BATCH));
}

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
      const key = and(eq(policyReads.clusterId, clusterId), eq(policyReads.engine, reading.engine));
      if (!reading.ok) {
        const updated = tx.update(policyReads).set({ readAt: now, error: reading.error }).where(key).run();
        if (updated.changes === 0) tx.insert(policyReads).values({ clusterId, engine: reading.engine, readAt: now, okAt: null, error: reading.error }).run();
        continue;
      }
      const engine: PolicyEngine = reading.engine;
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
      tx.delete(policyReads).where(key).run();
      tx.insert(policyReads).values({ clusterId, engine, readAt: now, okAt: now, error: null, results, truncated }).run();
    }
  });
}
