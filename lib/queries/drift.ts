import "server-only";
import { desc, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { rollouts } from "@/db/schema-configurations";
import { computeDrift, type DriftResult } from "@/lib/drift/compute";
import { readComputed, refreshComputed, type Computed } from "./computed";

// The Drift tab's live comparison needs the cluster (and Git): it comes from the background
// cache (./computed), so a slow or hanging cluster never holds the page.

export type { DriftResult };

const MAX_AGE_MS = 60_000;
const WAIT_MS = 4_000;

/** The configuration's latest rollout: a push (or re-push) makes earlier comparisons moot, so it is part of the key. */
function lastRollout(configurationId: string): number {
  return getDb().select({ sequence: rollouts.sequence }).from(rollouts).where(eq(rollouts.configurationId, configurationId)).orderBy(desc(rollouts.sequence)).limit(1).get()?.sequence ?? 0;
}

const key = (configurationId: string, clusterId: string) => `drift:${configurationId}:${clusterId}:${lastRollout(configurationId)}`;
const compute = (configurationId: string, clusterId: string) => () => computeDrift(clusterId, configurationId);

export function driftView(configurationId: string, clusterId: string): Promise<Computed<DriftResult>> {
  return readComputed(key(configurationId, clusterId), compute(configurationId, clusterId), { maxAgeMs: MAX_AGE_MS, waitMs: WAIT_MS });
}

export function refreshDrift(configurationId: string, clusterId: string): void {
  refreshComputed(key(configurationId, clusterId), compute(configurationId, clusterId));
}
