import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterHealth } from "@/db/schema";
import { startBlackHole, type BlackHole } from "@/test-support/black-hole";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { useTempDatabase } from "@/test-support/temp-db";

// The running loop hands the clusters due at each tick to a pass, which works through them as
// observation slots free up. A later tick must not hand the ones still waiting to another pass:
// passes list their clusters in the order the database returns them, which differs with the
// list's size, so one pass reached clusters another had already observed and observed them again
// (bench:fleet, 2,000 clusters: 3.7 light passes per cluster per minute where 2 were due; 1.8
// after). This small fleet did not show the repeat before the fix (the passes' orders agree); it
// holds the count: two slots, three black holes (each holds a slot for the 1 s deadline) and 40
// registrations of a real API server, ticks every 100 ms; each cluster is due once in the window
// (30 s interval, and the black holes back off), so it is observed once.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let cluster: TestCluster;
let blackHole: BlackHole;

beforeAll(async () => {
  Object.assign(process.env, { FLEETLINE_SECRET_KEY: "11".repeat(32), FLEETLINE_BACKGROUND: "off", FLEETLINE_HEALTH_CONCURRENCY: "2", FLEETLINE_HEALTH_TIMEOUT_MS: "1000" });
  temp = await useTempDatabase();
  cluster = await startCluster({ flux: false });
  blackHole = await startBlackHole();
  const registry = await import("@/lib/inventory/registry");
  const register = (name: string, credentials: { server: string; token: string; caData?: string }) =>
    registry.insertCluster({ name, displayName: name, labels: {}, authMethod: "token", credentials, createdBy: "test" }, null).id;
  for (const name of ["hole-a", "hole-b", "hole-c"]) register(name, { server: blackHole.server, token: "t" });
  for (let i = 0; i < 40; i++) register(`up-${i}`, { server: cluster.server, token: cluster.adminToken, caData: cluster.caData });
});

afterAll(async () => {
  const loop = await import("./loop");
  loop.stopObservationLoop();
  await blackHole?.close();
  await cluster?.stop();
  temp?.cleanup();
});

describe("the running loop", () => {
  it("observes a cluster waiting for a slot once, however many ticks pass while it waits", async () => {
    const loop = await import("./loop");
    // All due now (a registration made without a check is first observed within an interval).
    temp.db.update(clusterHealth).set({ nextCheckAt: new Date(0) }).run();
    const before = loop.observationCounters().passes;
    loop.startObservationLoop(100);
    // Every registration observed: the black holes unreachable, the others reachable.
    await expect
      .poll(() => temp.db.select().from(clusterHealth).all().map((h) => h.state).sort(), { timeout: 20_000, interval: 100 })
      .toEqual([...Array(40).fill("reachable"), ...Array(3).fill("unreachable")]);
    // Long enough for any pass still queued behind the black holes to have run.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(loop.observationCounters().passes - before).toBe(43);
  });
});
