import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clusterHealth, clusters } from "@/db/schema";
import type { ConfigurationStatus } from "@/db/schema-status";
import type { ClusterClient, KubeObject } from "@/lib/k8s/client";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";
import { collectGarbage } from "@/test-support/gc";

// Watch mode against real API servers with the Flux stand-in: after one full observation the loop
// follows the kinds each cluster's configuration uses, works rows out from events with no pass,
// relists when its resourceVersion has expired, and a later pass that finds the cluster gone
// turns its rows Unknown.
let fleet: FleetFixture;
let loop: typeof import("./loop");
let watches: typeof import("./watches");
let db: typeof import("@/db/schema-status");
let configurationId: string;

beforeAll(async () => {
  // Policies are read on every pass a second apart, so a light pass below reads them.
  process.env.FLEETLINE_POLICY_INTERVAL_S = "1";
  fleet = await startFleetFixture({ clusters: 2, name: "watches", resyncMs: 0 });
  [loop, watches, db] = await Promise.all([import("./loop"), import("./watches"), import("@/db/schema-status")]);
});

afterAll(async () => {
  watches?.stopAllWatches();
  await fleet?.stop();
});

/** A client of its own for the second cluster, and the Flux collection of `kind` on it. */
async function secondClusterKind(kind: string) {
  const { flux } = await import("@/lib/reconcilers/flux");
  const { createClusterClient } = await import("@/lib/k8s/client");
  const cluster = fleet.harness.clusters[1]!;
  const client = createClusterClient({ server: cluster.server, caData: cluster.caData, token: cluster.adminToken });
  return { client, collection: (await flux.collections(client)).find((c) => c.kind === kind)! };
}

const rowOf = (clusterId: string): ConfigurationStatus | undefined =>
  fleet.temp.db.select().from(db.configurationStatus).all().find((r) => r.clusterId === clusterId && r.configurationId === configurationId);

describe("watch mode", () => {
  it("after one full pass, a change on the cluster reaches the rows from the watch, with no pass", async () => {
    const saved = fleet.save({
      name: "watched",
      scope: "cluster",
      source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
      kustomizations: [{ name: "infra", path: "./infrastructure", prune: true }],
      targets: { clusterIds: fleet.clusterIds },
    });
    configurationId = saved.id;
    await fleet.push(saved.id, saved.version);
    await expect
      .poll(async () => {
        await loop.runObservation({ clusterIds: fleet.clusterIds, gitMaxAgeMs: 0, timeoutMs: 10_000, watch: true });
        return fleet.clusterIds.map((id) => rowOf(id)?.state);
      }, { timeout: 60_000, interval: 500 })
      .toEqual(["Compliant", "Compliant"]);
    // Each cluster follows exactly the two kinds its configuration renders.
    await expect.poll(() => watches.watchStats(), { timeout: 15_000 }).toEqual({ clusters: 2, kinds: 4, synced: 4 });
    // The cache keeps no field sets of the controller's status writes (on this 1.20 API server, entries whose
    // fields are all in status); the other entries keep theirs (drift reads them).
    const cached = watches.watchedListing(fleet.clusterIds[0]!, new Set(["GitRepository", "Kustomization"]))!.objects;
    const entries = cached.flatMap((o) => o.metadata.managedFields as { manager?: string; fieldsV1?: Record<string, unknown> }[]);
    const trimmed = entries.filter((e) => e.fieldsV1 === undefined);
    expect(trimmed.length).toBeGreaterThanOrEqual(2);
    expect(entries.filter((e) => e.fieldsV1 !== undefined).every((e) => Object.keys(e.fieldsV1!).some((key) => key !== "f:status"))).toBe(true);
    const live = await fleet.harness.clusters[0]!.rest().list("kustomize.toolkit.fluxcd.io/v1", "Kustomization");
    const statusOnly = live.items.flatMap((o) => o.metadata.managedFields as { fieldsV1?: Record<string, unknown> }[]).filter((e) => Object.keys(e.fieldsV1 ?? {}).join() === "f:status");
    expect(statusOnly.length).toBeGreaterThan(0);
    // The same configuration on both clusters leaves the same field set of Fleetline's apply on
    // each: the cache holds it once.
    const appliedFields = (clusterId: string) =>
      watches
        .watchedListing(clusterId, new Set(["Kustomization"]))!
        .objects.flatMap((o) => o.metadata.managedFields as { manager?: string; fieldsV1?: Record<string, unknown> }[])
        .find((e) => e.manager?.startsWith("fleetline/") && e.fieldsV1 !== undefined)?.fieldsV1;
    const [first, second] = fleet.clusterIds.map(appliedFields);
    expect(first).toBeDefined();
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const before = rowOf(fleet.clusterIds[0]!)!;
    const rest = fleet.harness.clusters[0]!.rest();
    const listed = await rest.json<{ items: KubeObject[] }>("GET", "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations");
    const kustomization = listed.items.find((o) => o.metadata.name === "watched-infra")!;
    await rest.json("DELETE", `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${kustomization.metadata.namespace}/kustomizations/watched-infra`);
    await expect.poll(() => rowOf(fleet.clusterIds[0]!)?.reason, { timeout: 10_000, interval: 100 }).toMatch(/ObjectMissing$/);
    expect(rowOf(fleet.clusterIds[0]!)!.observedAt.getTime()).toBeGreaterThan(before.observedAt.getTime());
    // The other cluster's row was not touched.
    expect(rowOf(fleet.clusterIds[1]!)?.state).toBe("Compliant");
  });

  it("a pass between full observations proves life with a PING on the watches' connection, and reads policies without discovery again", async () => {
    const { clientFor } = await import("@/lib/inventory/client-cache");
    const id = fleet.clusterIds[1]!;
    const cluster = fleet.temp.db.select().from(clusters).where(eq(clusters.id, id)).get()!;
    const client = clientFor(cluster, loop.requestTimeoutMs());
    const before = await client.connectionState();
    expect(before).toMatchObject({ protocol: "h2", open: true });
    // Counts the version() calls of the views the pass makes (client.withSignal(deadline)).
    let versionCalls = 0;
    // And the group-list reads (policy engines' discovery, done at the full observation).
    let groupListReads = 0;
    const withSignal = client.withSignal;
    const spy = vi.spyOn(client, "withSignal").mockImplementation((signal): ClusterClient => {
      const view = withSignal(signal);
      return { ...view, version: () => (versionCalls++, view.version()), get: <T,>(path: string) => ((groupListReads += path === "/apis" ? 1 : 0), view.get<T>(path)) };
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const started = Date.now();
    try {
      const result = await loop.runObservation({ clusterIds: [id], gitMaxAgeMs: 0, timeoutMs: 10_000, watch: true });
      expect(result.observations.map((x) => x.sweep.status)).toEqual(["ok"]);
    } finally {
      spy.mockRestore();
    }
    expect(versionCalls).toBe(0);
    expect(groupListReads).toBe(0);
    const health = fleet.temp.db.select().from(clusterHealth).where(eq(clusterHealth.clusterId, id)).get()!;
    expect(health.state).toBe("reachable");
    expect(health.checkedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(health.kubernetesVersion).toMatch(/^v1\./);
    expect(health.latencyMs).toEqual(expect.any(Number));
    // The same connection as before: the PING opened nothing.
    expect(await client.connectionState()).toMatchObject({ protocol: "h2", open: true, sessionsOpened: before.sessionsOpened });
  });

  it("a watch whose resourceVersion has expired lists again", async () => {
    const { client, collection } = await secondClusterKind("GitRepository");
    const stop = new AbortController();
    const snapshots: KubeObject[][] = [];
    const failures: unknown[] = [];
    // Version 1 is long compacted away: the API server answers 410 Gone, and the follower relists.
    const following = watches.followCollection(client, collection, { snapshot: (objects) => snapshots.push(objects), event: () => undefined, failed: (error) => failures.push(error) }, stop.signal, { initialResourceVersion: "1" });
    await expect.poll(() => snapshots.length, { timeout: 15_000 }).toBeGreaterThan(0);
    stop.abort();
    await following;
    expect(failures).toEqual([]);
    expect(snapshots[0]!.map((o) => [o.kind, o.metadata.name])).toEqual([["GitRepository", "watched"]]);
  });

  it("keeps nothing of the list it started from while it watches (the objects as the server sent them)", async () => {
    const { client: real, collection } = await secondClusterKind("Kustomization");
    // The real client, with a weak reference kept to each list it returns.
    const lists: WeakRef<object>[] = [];
    const client: ClusterClient = {
      ...real,
      withSignal: (signal) => {
        const scoped = real.withSignal(signal);
        const list = async (...args: Parameters<ClusterClient["list"]>) => {
          const listed = await scoped.list(...args);
          lists.push(new WeakRef(listed));
          return listed;
        };
        return { ...scoped, list } as ClusterClient;
      },
    };
    const stop = new AbortController();
    const snapshots: KubeObject[][] = [];
    const following = watches.followCollection(client, collection, { snapshot: (objects) => snapshots.push(objects), event: () => undefined, failed: () => undefined }, stop.signal);
    try {
      await expect.poll(() => snapshots.length, { timeout: 15_000 }).toBe(1);
      // The watch is open and waits (for as long as an hour in production); what the cache took stays.
      await expect.poll(async () => (await real.connectionState()).streams, { timeout: 5_000 }).toBe(1);
      expect(lists).toHaveLength(1);
      await collectGarbage();
      expect(snapshots[0]!.map((o) => o.metadata.name)).toEqual(["watched-infra"]);
      expect(lists[0]!.deref()).toBeUndefined();
    } finally {
      stop.abort();
      await following;
      real.close();
    }
  });

  it("a pass between full observations finds a stopped cluster and turns its rows Unknown at once", async () => {
    const started = Date.now();
    await fleet.harness.clusters[0]!.stop();
    const result = await loop.runObservation({ clusterIds: fleet.clusterIds, gitMaxAgeMs: 0, timeoutMs: 8000, watch: true });
    expect(fleet.clusterIds.map((id) => result.observations.find((x) => x.sweep.clusterId === id)?.sweep.status)).toEqual(["unreachable", "ok"]);
    expect(rowOf(fleet.clusterIds[0]!)).toMatchObject({ state: "Unknown" });
    expect(rowOf(fleet.clusterIds[0]!)!.reason).toMatch(/^ClusterUnreachable/);
    expect(rowOf(fleet.clusterIds[1]!)).toMatchObject({ state: "Compliant" });
    expect(rowOf(fleet.clusterIds[1]!)!.observedAt.getTime()).toBeGreaterThanOrEqual(started);
  });

  it("a pass at rest works nothing out; a row that time will change is worked out on every pass", async () => {
    const id = fleet.clusterIds[1]!;
    const pass = (now: () => number = Date.now) => loop.runObservation({ clusterIds: [id], gitMaxAgeMs: 0, timeoutMs: 8000, watch: true, resourceDrift: false, now });
    const quiet = () => loop.observationCounters().quietPasses;
    // Nothing moves on the cluster: once its rows are found as stored, a pass only touches them.
    const before = quiet();
    await expect.poll(async () => (await pass(), quiet()), { timeout: 15_000, interval: 200 }).toBeGreaterThan(before);
    const touched = Date.now();
    const resting = quiet();
    await pass();
    expect(quiet()).toBe(resting + 1);
    expect(rowOf(id)).toMatchObject({ state: "Compliant" });
    expect(rowOf(id)!.observedAt.getTime()).toBeGreaterThanOrEqual(touched);

    // Flux stops on the cluster and its source's spec changes: the new generation is never
    // reconciled, and how long that has been is in the row's words, so time alone changes it.
    await fleet.harness.flux[1]!.stop();
    const rest = fleet.harness.clusters[1]!.rest();
    const source = (await rest.list("source.toolkit.fluxcd.io/v1", "GitRepository")).items.find((o) => o.metadata.name === "watched")!;
    const patched = await rest.mergePatch({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", namespace: source.metadata.namespace!, name: "watched" }, { spec: { interval: "11m" } });
    const written = Math.max(...((patched.metadata.managedFields ?? []) as { time?: string }[]).map((f) => Date.parse(f.time ?? "")).filter(Number.isFinite));
    const message = () => rowOf(id)?.message;
    // The watch brings the new generation in first, worked out at the real time.
    await expect.poll(message, { timeout: 10_000, interval: 100 }).toMatch(/generation 2 not reconciled yet/);
    // 400 s on (a full observation: past the next one due), then two passes between full ones.
    await pass(() => written + 400_000);
    expect(message()).toMatch(/not been reconciled in 6 min/);
    const before2 = quiet();
    await pass(() => written + 410_000);
    await pass(() => written + 470_000);
    expect(message()).toMatch(/not been reconciled in 7 min/);
    expect(quiet()).toBe(before2);
  });

  it("a kind no longer used ends its watch, and the others are followed on", async () => {
    const { flux } = await import("@/lib/reconcilers/flux");
    const { clientFor } = await import("@/lib/inventory/client-cache");
    const { env } = await import("@/lib/env");
    const id = fleet.clusterIds[1]!;
    watches.stopWatches(id);
    const cluster = fleet.temp.db.select().from(clusters).where(eq(clusters.id, id)).get()!;
    // The client the watches use (one per cluster, cached).
    const client = clientFor(cluster, env().FLEETLINE_HEALTH_TIMEOUT_MS);
    const both = new Set(["GitRepository", "Kustomization"]);
    const one = new Set(["Kustomization"]);
    try {
      await watches.ensureWatches(cluster, flux, both, () => undefined);
      await expect.poll(() => watches.watchedListing(id, both) !== undefined, { timeout: 15_000 }).toBe(true);
      await expect.poll(async () => (await client.connectionState()).streams, { timeout: 5_000 }).toBe(2);
      await watches.ensureWatches(cluster, flux, one, () => undefined);
      await expect.poll(async () => (await client.connectionState()).streams, { timeout: 5_000 }).toBe(1);
      await expect.poll(() => watches.watchedListing(id, one)?.objects.map((o) => o.kind), { timeout: 15_000 }).toEqual(["Kustomization"]);
      expect(watches.watchedListing(id, both)).toBeUndefined();
    } finally {
      watches.stopWatches(id);
    }
  });
});
