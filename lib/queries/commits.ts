import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { configurations } from "@/db/schema-configurations";
import { argoDeployments, commitHistory, type CommitHistory } from "@/lib/status/commits";
import { readComputed, refreshComputed, type Computed } from "./computed";

// The Commits tab's reads: Argo CD's deployment history from the database, and the Git log,
// which needs a `git fetch` and so comes from the background cache (./computed).

export { argoDeployments, type CommitHistory };

/** A log younger than this is shown as is; an older one is shown while a fresh fetch runs. */
const MAX_AGE_MS = 60_000;
/** A first visit waits this long for the fetch, then shows "still fetching" (the fetch goes on). */
const WAIT_MS = 3_000;


/** The log follows the pushed version's source and paths: a new push is a new key. */
function pushedVersion(configurationId: string): number {
  const row = getDb().select({ pushed: configurations.pushedVersion, current: configurations.currentVersion }).from(configurations).where(and(eq(configurations.id, configurationId), isNull(configurations.deletedAt))).get();
  return row?.pushed ?? row?.current ?? 0;
}

const key = (configurationId: string) => `commits:${configurationId}:${pushedVersion(configurationId)}`;
const compute = (configurationId: string) => () => commitHistory(configurationId, { limit: 50 });

export function commitsView(configurationId: string): Promise<Computed<CommitHistory>> {
  return readComputed(key(configurationId), compute(configurationId), { maxAgeMs: MAX_AGE_MS, waitMs: WAIT_MS });
}

export function refreshCommits(configurationId: string): void {
  refreshComputed(key(configurationId), compute(configurationId));
}
