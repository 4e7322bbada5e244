import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clusterHealth, clusters } from "@/db/schema";
import { configurationStatus } from "@/db/schema-status";
import type { ClusterClient } from "@/lib/k8s/client";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";
import { FLUX_API_VERSIONS, REQUESTED_AT } from "@/test-support/flux-common";
import { startTcpRelay, type TcpRelay } from "@/test-support/tcp-relay";

// Watch mode, a cluster at rest: its watches in sync, its rows found as stored, nothing else to read
// (a policy read due on a cluster that serves no policy engine reads nothing).
// The loop observes such clusters together, with a PING each and one write, and no pass of their
// own; the cluster is registered through a TCP relay, so its link can go silent.
let fleet: FleetFixture;
let relay: TcpRelay;
let clusterId: string;
let loop: typeof import("./loop");
let watches: typeof import("./watches");

beforeAll(async () => {
  // The PING's timeout is the cluster client's request timeout.
  process.env.FLEETLINE_HEALTH_TIMEOUT_MS = "3000";
  // Policies are due on every pass; the cluster serves no policy engine, so there is nothing to read.
  process.env.FLEETLINE_POLICY_INTERVAL_S = "1";
  fleet = await startFleetFixture({ clusters: 1, name: "rest", resyncMs: 0, register: false });
  const cluster = fleet.harness.clusters[0]!;
  relay = await startTcpRelay(cluster.server);
  const registry = await import("@/lib/inventory/registry");
  const credentials = { server: relay.server, token: cluster.adminToken, caData: cluster.caData };
  clusterId = registry.insertCluster({ name: "rest-relayed", displayName: "rest-relayed", labels: { env: "prod" }, authMethod: "token", credentials, createdBy: "test" }, null).id;
  [loop, watches] = await Promise.all([import("./loop"), import("./watches")]);
});

afterAll(async () => {
  watches?.stopAllWatches();
  await relay?.stop();
  await fleet?.stop();
});

const rowOf = () => fleet.temp.db.select().from(configurationStatus).where(eq(configurationStatus.clusterId, clusterId)).get();
const healthOf = () => fleet.temp.db.select().from(clusterHealth).where(eq(clusterHealth.clusterId, clusterId)).get();
// Resource drift and versions are real reads when due: off here. Policies stay on.
const pass = () => loop.runObservation({ clusterIds: [clusterId], gitMaxAgeMs: 0, timeoutMs: 8000, watch: true, resourceDrift: false, versions: false });

/** A configuration of the sample repository's infrastructure, pushed to one cluster. */
async function pushTo(name: string, targetId: string): Promise<void> {
  const saved = fleet.save({
    name,
    scope: "cluster",
    source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
    kustomizations: [{ name: "infra", path: "./infrastructure", prune: true }],
    targets: { clusterIds: [targetId] },
  });
  await fleet.push(saved.id, saved.version);
}

/** The fixture's cluster registered once more under another name, with no relay between. */
async function registerDirect(name: string): Promise<string> {
  const { insertCluster } = await import("@/lib/inventory/registry");
  const cluster = fleet.harness.clusters[0]!;
  const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
  return insertCluster({ name, displayName: name, labels: { env: "prod" }, authMethod: "token", credentials, createdBy: "test" }, null).id;
}

/**
 * Passes until the cluster is at rest. A light pass finds the rows as stored; from then on it is at
 * rest. The stand-in, as Flux, reconciles the Kustomization once more when its source's artifact
 * lands (a dependency requeue): at rest means nothing of the stand-in's due in the next 5 s, and a
 * quiet pass with no event from the cluster for a second before it. A second alone was not enough:
 * the requeued reconcile came 1.8 s after the watch's list and, once in about three runs, after
 * the last quiet pass.
 */
async function untilAtRest(id: string, pass: () => Promise<unknown>): Promise<void> {
  const settled = async () => {
    const next = fleet.harness.flux[0]!.nextReconcileAt();
    if (next !== undefined && next < Date.now() + 5000) return new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100));
    const generation = watches.watchGeneration(id);
    const quiet = loop.observationCounters().quietPasses;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await pass();
    return loop.observationCounters().quietPasses > quiet && watches.watchGeneration(id) === generation;
  };
  await expect.poll(settled, { timeout: 30_000, interval: 0 }).toBe(true);
}

describe("clusters at rest", () => {
  it("are observed with a PING and one write, with no pass of their own; one whose link goes silent turns Unknown on that pass", async () => {
    await pushTo("resting", clusterId);
    await expect.poll(async () => (await pass(), rowOf()?.state), { timeout: 60_000, interval: 500 }).toBe("Compliant");
    await expect.poll(() => watches.watchStats(), { timeout: 15_000 }).toEqual({ clusters: 1, kinds: 2, synced: 2 });
    await untilAtRest(clusterId, pass);

    const { clientFor } = await import("@/lib/inventory/client-cache");
    const cluster = fleet.temp.db.select().from(clusters).where(eq(clusters.id, clusterId)).get()!;
    const client = clientFor(cluster, loop.requestTimeoutMs());
    // A pass of its own gives the cluster's client a deadline (client.withSignal): counted here.
    const withSignal = client.withSignal;
    let views = 0;
    const spy = vi.spyOn(client, "withSignal").mockImplementation((signal): ClusterClient => (views++, withSignal(signal)));
    afterAll(() => spy.mockRestore());
    // Policies are due again: the cluster serves no engine, so the read would find nothing.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const counters = loop.observationCounters();
    const at = Date.now();
    const result = await pass();
    expect(result.observations.map((x) => [x.check.state, x.sweep.status])).toEqual([["reachable", "ok"]]);
    expect(views).toBe(0);
    expect(loop.observationCounters()).toEqual({ passes: counters.passes + 1, quietPasses: counters.quietPasses + 1 });
    // The times of observation moved; the state did not.
    expect(rowOf()).toMatchObject({ state: "Compliant" });
    expect(rowOf()!.observedAt.getTime()).toBeGreaterThanOrEqual(at);
    const health = healthOf()!;
    expect(health).toMatchObject({ state: "reachable", consecutiveFailures: 0, latencyMs: expect.any(Number) });
    expect(health.checkedAt!.getTime()).toBeGreaterThanOrEqual(at);
    expect(health.lastSeenAt!.getTime()).toBe(health.checkedAt!.getTime());
    expect(health.nextCheckAt.getTime()).toBeGreaterThan(health.checkedAt!.getTime());

    // The link goes silent (TCP stays open, nothing answers): the PING of the next pass times out.
    relay.blackHole();
    const silent = await pass();
    expect(silent.observations.map((x) => [x.check.state, x.sweep.status])).toEqual([["unreachable", "unreachable"]]);
    // Found by the PING of the pass at rest: no pass of its own was needed to find it.
    expect(views).toBe(0);
    expect(rowOf()).toMatchObject({ state: "Unknown" });
    expect(rowOf()!.reason).toMatch(/^ClusterUnreachable/);
    expect(healthOf()).toMatchObject({ state: "unreachable", consecutiveFailures: 1 });
  });

  it("read resource drift and versions at the full observation, so that those reads cost no pass of their own", async () => {
    const riderId = await registerDirect("rest-riding");
    await pushTo("riding", riderId);
    // The loop's clock stands still until moved: every pass of the set-up is at one instant.
    const start = Date.now();
    let clock = start;
    // Resource drift and versions on their five-minute intervals. Math.random picks the full
    // observations' jitter (0: the next is due 270 s after the last, 1: 330 s).
    const ride = async (jitter = 0) => {
      const random = vi.spyOn(Math, "random").mockReturnValue(jitter);
      try {
        return await loop.runObservation({ clusterIds: [riderId], gitMaxAgeMs: 0, timeoutMs: 8000, watch: true, driftIntervalMs: 300_000, now: () => clock });
      } finally {
        random.mockRestore();
      }
    };
    const riderRow = () => fleet.temp.db.select().from(configurationStatus).where(eq(configurationStatus.clusterId, riderId)).get();
    await expect.poll(async () => (await ride(), riderRow()?.state), { timeout: 60_000, interval: 500 }).toBe("Compliant");
    await untilAtRest(riderId, ride);
    expect(loop.observationSchedule(riderId)).toEqual({ fullAt: start, fullDueAt: start + 270_000, driftReadAt: start, versionsReadAt: start });

    const { clientFor } = await import("@/lib/inventory/client-cache");
    const client = clientFor(fleet.temp.db.select().from(clusters).where(eq(clusters.id, riderId)).get()!, loop.requestTimeoutMs());
    const withSignal = client.withSignal;
    let views = 0;
    const spy = vi.spyOn(client, "withSignal").mockImplementation((signal): ClusterClient => (views++, withSignal(signal)));
    afterAll(() => spy.mockRestore());
    const restsAt = async (at: number) => {
      clock = at;
      const counters = loop.observationCounters();
      views = 0;
      const result = await ride();
      expect(result.observations.map((x) => [x.check.state, x.sweep.status])).toEqual([["reachable", "ok"]]);
      expect({ views, counters: loop.observationCounters() }).toEqual({ views: 0, counters: { passes: counters.passes + 1, quietPasses: counters.quietPasses + 1 } });
    };

    // The next full observation comes 29 s before the reads are due: it does them, as the next
    // would come after they fell due (330 s on).
    clock = start + 271_000;
    await ride(1);
    expect(loop.observationSchedule(riderId)).toEqual({ fullAt: clock, fullDueAt: clock + 330_000, driftReadAt: clock, versionsReadAt: clock });
    // So the passes between full observations rest, from the first on (the full observation found
    // its rows would stay as stored): at 1 s, and at 301 s, when the reads are due but the next
    // full observation is 29 s away (within its jitter), and does them.
    await restsAt(start + 272_000);
    await restsAt(start + 301_000);
    await restsAt(start + 572_000);
    clock = start + 602_000;
    await ride();
    expect(loop.observationSchedule(riderId)).toMatchObject({ fullAt: clock, driftReadAt: clock, versionsReadAt: clock });
  });

  it("rest on the first pass after a watch event refreshed their rows", async () => {
    const id = await registerDirect("rest-refreshed");
    await pushTo("refreshed", id);
    const cluster = fleet.harness.clusters[0]!;
    const passOn = () => loop.runObservation({ clusterIds: [id], gitMaxAgeMs: 0, timeoutMs: 8000, watch: true, resourceDrift: false, versions: false });
    const row = () => fleet.temp.db.select().from(configurationStatus).where(eq(configurationStatus.clusterId, id)).get();
    await expect.poll(async () => (await passOn(), row()?.state), { timeout: 60_000, interval: 500 }).toBe("Compliant");
    await untilAtRest(id, passOn);

    // A reconcile requested on the cluster: the stand-in, as Flux, marks the Kustomization
    // Reconciling, then Ready again; each status it writes comes in by the watch, and the rows are
    // worked out from it with no pass.
    const rest = cluster.rest();
    const apiVersion = FLUX_API_VERSIONS.Kustomization;
    const { metadata } = (await rest.list(apiVersion, "Kustomization")).items.find((o) => JSON.stringify(o.metadata).includes("refreshed"))!;
    const generation = watches.watchGeneration(id);
    const requested = new Date().toISOString();
    await rest.mergePatch({ apiVersion, kind: "Kustomization", namespace: metadata.namespace!, name: metadata.name }, { metadata: { annotations: { [REQUESTED_AT]: requested } } });
    await expect.poll(async () => (await rest.get(apiVersion, "Kustomization", metadata.namespace, metadata.name))?.status, { timeout: 15_000 }).toMatchObject({ lastHandledReconcileAt: requested });
    // The events of that reconcile are in, and a second passes with none after them.
    const settled = async () => {
      const seen = watches.watchGeneration(id);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return seen !== generation && watches.watchGeneration(id) === seen;
    };
    await expect.poll(settled, { timeout: 15_000, interval: 0 }).toBe(true);
    expect(row()).toMatchObject({ state: "Compliant" });

    const counters = loop.observationCounters();
    const result = await passOn();
    expect(result.observations.map((x) => [x.check.state, x.sweep.status])).toEqual([["reachable", "ok"]]);
    expect(loop.observationCounters()).toEqual({ passes: counters.passes + 1, quietPasses: counters.quietPasses + 1 });
  });
});
