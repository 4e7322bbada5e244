import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";
import { holdWriteLock } from "@/test-support/write-lock";

// Leases and shares on a real SQLite file: the other replicas are rows written as another
// process would write them (the two-process test is lib/server/replicas.int.test.ts).
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let leases: typeof import("./leases");
let replicas: typeof import("./replicas");
let rendezvous: typeof import("./rendezvous");
let schema: typeof import("@/db/schema-replicas");
let membership: typeof import("@/db/membership");
const clusterIds: string[] = [];

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  process.env.FLEETLINE_REPLICA_ID = "replica-self";
  process.env.FLEETLINE_HEALTH_TIMEOUT_MS = "1000";
  temp = await useTempDatabase();
  [leases, replicas, rendezvous, schema, membership] = await Promise.all([import("./leases"), import("./replicas"), import("./rendezvous"), import("@/db/schema-replicas"), import("@/db/membership")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  for (let i = 0; i < 60; i++) {
    clusterIds.push(insertCluster({ name: `c-${i}`, displayName: `c-${i}`, labels: {}, authMethod: "token", credentials: { server: "https://127.0.0.1:1", token: "t" }, createdBy: "test" }, null).id);
  }
});

afterAll(() => temp?.cleanup());
afterEach(() => {
  replicas.stopReplicaMembership();
  membership.getMembershipDb().delete(schema.replicas).run();
  temp.db.delete(schema.leases).run();
});

describe("leases", () => {
  it("one holder at a time; the holder renews; an expired lease is taken over", () => {
    const t = 1_000_000;
    expect(leases.takeLease("retention", "a", 15_000, t)).toBe(true);
    expect(leases.takeLease("retention", "b", 15_000, t + 1)).toBe(false);
    expect(leases.leaseHolder("retention", t + 2)).toBe("a");
    // a renews at t + 10 s: the lease now runs to t + 25 s, and b still cannot take it at t + 20 s.
    expect(leases.takeLease("retention", "a", 15_000, t + 10_000)).toBe(true);
    expect(leases.takeLease("retention", "b", 15_000, t + 20_000)).toBe(false);
    // a stopped renewing: at its expiry b takes it, and a, coming back, cannot.
    expect(leases.takeLease("retention", "b", 15_000, t + 25_000)).toBe(true);
    expect(leases.takeLease("retention", "a", 15_000, t + 25_001)).toBe(false);
    expect(leases.leaseHolder("retention", t + 25_002)).toBe("b");
    expect(temp.db.select().from(schema.leases).all()).toEqual([{ name: "retention", holder: "b", expiresAt: new Date(t + 40_000) }]);
  });

  it("of many contenders at the same instant exactly one wins, whatever the order", () => {
    const t = 5_000_000;
    const won = Array.from({ length: 20 }, (_, i) => `r-${i}`).filter((holder) => leases.takeLease("waiver-expiry", holder, 15_000, t));
    expect(won).toEqual(["r-0"]);
    leases.releaseLease("waiver-expiry", "r-7");
    expect(leases.leaseHolder("waiver-expiry", t)).toBe("r-0");
    leases.releaseLease("waiver-expiry", "r-0");
    expect(leases.takeLease("waiver-expiry", "r-7", 15_000, t + 1)).toBe(true);
  });
});

describe("replica shares", () => {
  const other = (id: string, heartbeatAt: number) =>
    membership
      .getMembershipDb()
      .insert(schema.replicas)
      .values({ id, host: "h", pid: 1, instance: id, startedAt: new Date(heartbeatAt), heartbeatAt: new Date(heartbeatAt) })
      .onConflictDoUpdate({ target: schema.replicas.id, set: { heartbeatAt: new Date(heartbeatAt) } })
      .run();

  it("without membership every due cluster is this process's", () => {
    expect(replicas.replicaShare(clusterIds.slice(0, 5))).toEqual(clusterIds.slice(0, 5));
    expect(replicas.holdsLease("retention")).toBe(true);
  });

  it("alone, a replica observes exactly the due clusters and holds its leases", () => {
    replicas.startReplicaMembership({ ttlMs: 15_000, leases: ["retention"] });
    expect(replicas.replicaShare(clusterIds.slice(0, 7))).toEqual(clusterIds.slice(0, 7));
    expect(replicas.replicaShare([])).toEqual([]);
    expect(replicas.holdsLease("retention")).toBe(true);
    expect(replicas.holdsLease("waiver-expiry")).toBe(false);
  });

  it("two live replicas split the clusters; when the other dies its clusters arrive at once, due or not", () => {
    const now = Date.now();
    other("replica-other", now);
    replicas.startReplicaMembership({ ttlMs: 15_000 });
    const mine = clusterIds.filter((id) => rendezvous.rendezvousOwner(id, ["replica-other", "replica-self"]) === "replica-self");
    expect(mine.length).toBeGreaterThan(15);
    expect(mine.length).toBeLessThan(45);
    // After the join's grace period (see the next test).
    expect(replicas.replicaShare(clusterIds, now)).toEqual([]);
    expect(replicas.replicaShare(clusterIds, now + 3_200)).toEqual(mine);
    // The other's heartbeat is 16 s old at now + 16 s (this one's is refreshed as its heartbeat would).
    other("replica-self", now + 16_000);
    expect(replicas.replicaShare([], now + 16_000).sort()).toEqual(clusterIds.filter((id) => !mine.includes(id)).sort());
    // Taken over once: from then on they come with the due ones only.
    expect(replicas.replicaShare(clusterIds.slice(0, 3), now + 17_000)).toEqual(clusterIds.slice(0, 3));
  });

  it("a replica that joins waits the grace period before observing clusters a live replica had", () => {
    const now = Date.now();
    other("replica-other", now);
    replicas.startReplicaMembership({ ttlMs: 15_000 });
    const mine = clusterIds.filter((id) => rendezvous.rendezvousOwner(id, ["replica-other", "replica-self"]) === "replica-self");
    // Grace: FLEETLINE_HEALTH_TIMEOUT_MS (1 s here) + 2 s.
    expect(replicas.replicaShare(clusterIds, now + 100)).toEqual([]);
    expect(replicas.replicaShare(clusterIds, now + 3_200)).toEqual(mine);
  });

  it("a replica whose own heartbeat is older than the TTL observes nothing (the others have its share)", () => {
    const now = Date.now();
    replicas.startReplicaMembership({ ttlMs: 15_000 });
    other("replica-b", now + 20_000);
    expect(replicas.replicaShare(clusterIds, now + 20_000)).toEqual([]);
  });

  it("alone, a replica whose own heartbeat is older than the TTL keeps its share, and nothing arrives when it beats again", () => {
    // A stalled event loop (bench:fleet: 9.3 s while writing a heap snapshot) lets this replica's own
    // heartbeat pass the TTL. With no other replica live nobody takes its clusters over: giving
    // them up stopped every watch, and the next heartbeat brought all of them back at once.
    const now = Date.now();
    replicas.startReplicaMembership({ ttlMs: 15_000 });
    expect(replicas.replicaShare(clusterIds.slice(0, 3), now)).toEqual(clusterIds.slice(0, 3));
    expect(replicas.replicaShare(clusterIds.slice(3, 6), now + 20_000)).toEqual(clusterIds.slice(3, 6));
    other("replica-self", now + 21_000);
    expect(replicas.replicaShare([], now + 21_000)).toEqual([]);
    expect(replicas.replicaShare(clusterIds.slice(6, 8), now + 21_500)).toEqual(clusterIds.slice(6, 8));
  });

  it("a clean stop deletes the row and gives up the leases", () => {
    replicas.startReplicaMembership({ ttlMs: 15_000, leases: ["retention"] });
    expect(leases.leaseHolder("retention")).toBe("replica-self");
    expect(replicas.replicaHealth()).toMatchObject({ id: "replica-self", leases: ["retention"] });
    replicas.stopReplicaMembership();
    expect(leases.leaseHolder("retention")).toBeUndefined();
    expect(membership.getMembershipDb().select().from(schema.replicas).all()).toEqual([]);
    expect(replicas.replicaHealth()).toBeNull();
  });

  it("a heartbeat goes on while another process holds the database's write lock past the TTL", async () => {
    // bench:fleet, two replicas on one SQLite file at 2,000 clusters: a heartbeat waited behind the
    // other replica's observation writes for longer than the TTL ("replica heartbeat failed: the
    // database stayed locked"), the other took every cluster and gave them back.
    replicas.startReplicaMembership({ ttlMs: 3000 });
    const lock = await holdWriteLock(temp.file);
    try {
      // A heartbeat a second; 4.5 s is past the TTL.
      await new Promise((resolve) => setTimeout(resolve, 4500));
      const row = membership.getMembershipDb().select().from(schema.replicas).all().find((r) => r.id === "replica-self");
      expect(Date.now() - row!.heartbeatAt.getTime()).toBeLessThan(1500);
    } finally {
      await lock.release();
    }
  });
});
