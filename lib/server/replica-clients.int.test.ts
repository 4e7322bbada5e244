import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusters } from "@/db/schema";
import { getMembershipDb } from "@/db/membership";
import { replicas } from "@/db/schema-replicas";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// A replica keeps no connection to a cluster another replica observes. Seen in bench:fleet with two
// replicas: one observed clusters for a moment before the other had registered, and kept 1,493 open
// connections (their memory, about 105 KiB each with watches) for the 990 clusters it observed.
let fleet: FleetFixture;

beforeAll(async () => {
  process.env.FLEETLINE_REPLICA_ID = "replica-a";
  // Six registrations of the one API server: rendezvous hashing gives each replica some.
  fleet = await startFleetFixture({ clusters: 1, name: "replclients", resyncMs: 0 });
  const { insertCluster } = await import("@/lib/inventory/registry");
  const server = fleet.harness.clusters[0]!;
  for (let i = 1; i < 6; i++) {
    const credentials = { server: server.server, token: server.adminToken, caData: server.caData };
    insertCluster({ name: `replclients-extra-${i}`, displayName: `replclients extra ${i}`, labels: {}, authMethod: "token", credentials, createdBy: "test" }, null);
  }
});

afterAll(async () => {
  (await import("./replicas")).stopReplicaMembership();
  await fleet?.stop();
});

describe("a replica's kept connections", () => {
  it("close for the clusters another replica observes, and stay for its own", async () => {
    const { clientFor, connectionTotals } = await import("@/lib/inventory/client-cache");
    const { rendezvousOwner } = await import("./rendezvous");
    const rows = fleet.temp.db.select().from(clusters).all();
    // Every cluster's client opened its connection here, as when this replica observed them alone.
    await Promise.all(rows.map((row) => clientFor(row, 5000).version()));
    expect((await connectionTotals()).h2Open).toBe(rows.length);

    // Another replica is live: it observes its share from now on. Its name is one that gives each
    // replica some of the six (their ids are random: with a fixed name, 1 run in 32 gave one all).
    const mineWith = (other: string) => rows.filter((row) => rendezvousOwner(row.id, ["replica-a", other]) === "replica-a");
    const other = Array.from({ length: 64 }, (_, i) => `replica-b${i}`).find((name) => mineWith(name).length > 0 && mineWith(name).length < rows.length) ?? "replica-b";
    const now = new Date();
    getMembershipDb().insert(replicas).values({ id: other, host: "elsewhere", pid: 1, instance: "other", startedAt: now, heartbeatAt: now }).run();
    const mine = mineWith(other);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(rows.length);
    const { startReplicaMembership } = await import("./replicas");
    // A 3 s TTL: a heartbeat a second. Idle clients of the other's clusters go at the next one.
    startReplicaMembership({ ttlMs: 3000, idleClientMs: 0 });
    const deadline = Date.now() + 10_000;
    while ((await connectionTotals()).clients !== mine.length && Date.now() < deadline) {
      getMembershipDb().update(replicas).set({ heartbeatAt: new Date() }).run();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const totals = await connectionTotals();
    // Before: all six stayed open.
    expect(totals.clients).toBe(mine.length);
    expect(totals.h2Open).toBe(mine.length);
  });
});
