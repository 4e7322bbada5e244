import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { chartVersions, versionFirstSeen, versionReads, workloadImages } from "@/db/schema-versions";
import { imageVersionKey } from "./extract";
import type { VersionsReading } from "./read";

// Rows are written in batches: a cluster may run thousands of containers.
const BATCH = 200;

function insertBatched<T>(rows: T[], insert: (batch: T[]) => void): void {
  for (let start = 0; start < rows.length; start += BATCH) insert(rows.slice(start, start + BATCH));
}

/**
 * One cluster's versions, stored: a good read replaces its rows and records the first sighting
 * of every version it names; a failed one keeps the last rows (with their time) and says why.
 */
export function persistVersions(clusterId: string, reading: VersionsReading, now: Date): void {
  const db = getDb();
  db.transaction((tx) => {
    if (!reading.ok) {
      const error = reading.error.slice(0, 1000);
      tx.insert(versionReads).values({ clusterId, readAt: now, okAt: null, error }).onConflictDoUpdate({ target: versionReads.clusterId, set: { readAt: now, error } }).run();
      return;
    }
    tx.delete(workloadImages).where(eq(workloadImages.clusterId, clusterId)).run();
    tx.delete(chartVersions).where(eq(chartVersions.clusterId, clusterId)).run();
    insertBatched(
      reading.images.map((row, ordinal) => ({ ...row, clusterId, ordinal, observedAt: now })),
      (batch) => tx.insert(workloadImages).values(batch).run(),
    );
    insertBatched(
      reading.charts.map((row) => ({ ...row, clusterId, observedAt: now })),
      (batch) => tx.insert(chartVersions).values(batch).onConflictDoNothing().run(),
    );
    const seen = new Map<string, { kind: "image" | "chart"; name: string; version: string; firstSeenAt: Date }>();
    for (const row of reading.images) {
      const { name, version } = imageVersionKey(row);
      if (version) seen.set(`image\0${name}\0${version}`, { kind: "image", name, version, firstSeenAt: now });
    }
    for (const chart of reading.charts) seen.set(`chart\0${chart.chartName}\0${chart.chartVersion}`, { kind: "chart", name: chart.chartName, version: chart.chartVersion, firstSeenAt: now });
    insertBatched([...seen.values()], (batch) => tx.insert(versionFirstSeen).values(batch).onConflictDoNothing().run());
    const read = { readAt: now, okAt: now, error: null, images: reading.images.length, truncated: reading.truncated, gitNote: reading.gitNote };
    tx.insert(versionReads).values({ clusterId, ...read }).onConflictDoUpdate({ target: versionReads.clusterId, set: read }).run();
  });
}
