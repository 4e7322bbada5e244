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

/**
 * The configuration's latest rollout and whether it has finished: a push (or re-push) makes earlier
 * comparisons moot, and so does its end (a comparison made while it was applying saw the old objects).
 */
function lastRollout(configurationId: string): string {
  const last = getDb()
    .select({ sequence: rollouts.sequence, finishedAt: rollouts.finishedAt })
    .from(rollouts)
    .where(eq(rollouts.configurationId, configurationId))
    .orderBy(desc(rollouts.sequence))
    .limit(1)
    .get();
  return last ? `${last.sequence}${last.finishedAt ? "" : "-running"}` : "0";
}

const key = (configurationId: string, clusterId: string) => `drift:${configurationId}:${clusterId}:${lastRollout(configurationId)}`;
const compute = (configurationId: string, clusterId: string) => () => computeDrift(clusterId, configurationId);

export function driftView(configurationId: string, clusterId: string): Promise<Computed<DriftResult>> {
  return readComputed(key(configurationId, clusterId), compute(configurationId, clusterId), { maxAgeMs: MAX_AGE_MS, waitMs: WAIT_MS });
}

export function refreshDrift(configurationId: string, clusterId: string): void {
  refreshComputed(key(configurationId, clusterId), compute(configurationId, clusterId));
}
