import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { versionReads } from "@/db/schema-versions";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";
import { holdWriteLock, type WriteLock } from "@/test-support/write-lock";

// The loop's writes wait for another process's write lock off the event loop (db/busy.ts), so a
// second replica's long write does not freeze this one. Seen in bench:fleet with two replicas on one
// SQLite file: a full observation's versions write waited on the connection's 5 s busy timeout,
// ON the event loop (5,075 ms without a turn), while the other replica wrote.
// The lock is taken as the cluster's versions read ends, so the write meets it (the read itself is
// real, against the harness's API server).
const lockAfterRead: { take?: () => Promise<void> } = {};
vi.mock("@/lib/versions/read", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/versions/read")>();
  return {
    ...original,
    readVersions: async (...args: Parameters<typeof original.readVersions>) => {
      const reading = await original.readVersions(...args);
      await lockAfterRead.take?.();
      return reading;
    },
  };
});

let fleet: FleetFixture;
let clusterId: string;
let lock: WriteLock | undefined;

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 1, name: "locked", resyncMs: 0 });
  clusterId = fleet.clusterIds[0]!;
});

afterAll(async () => {
  lock?.kill();
  await fleet?.stop();
});

describe("the loop's writes while another process holds the write lock", () => {
  it("leave the event loop free and land once the lock is gone", async () => {
    const loop = await import("./loop");
    const holdMs = 2000;
    lockAfterRead.take = async () => {
      lockAfterRead.take = undefined;
      lock = await holdWriteLock(fleet.temp.file);
      setTimeout(() => void lock?.release(), holdMs);
    };
    // The longest the event loop went without a turn while the pass ran.
    let longestGapMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 10);
    try {
      const result = await loop.runObservation({ clusterIds: [clusterId], gitMaxAgeMs: 0, timeoutMs: 8000, watch: false, resourceDrift: false, versions: true });
      expect(result.observations.map((o) => o.check.state)).toEqual(["reachable"]);
    } finally {
      clearInterval(ticker);
      // The last stretch too: a pass that held the event loop to its end leaves the ticker no turn after.
      longestGapMs = Math.max(longestGapMs, performance.now() - last);
    }
    expect(lockAfterRead.take).toBeUndefined();
    // Before: the versions write held the event loop for the connection's whole busy timeout (5,098 ms;
    // the timer that releases the lock could not run either), then failed and the reading was lost.
    expect(longestGapMs).toBeLessThan(holdMs / 2);
    // And the write landed after the lock was gone.
    expect(fleet.temp.db.select().from(versionReads).where(eq(versionReads.clusterId, clusterId)).get()?.okAt).toBeInstanceOf(Date);
  });
});
