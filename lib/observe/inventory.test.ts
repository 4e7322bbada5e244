import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTempDatabase } from "@/test-support/temp-db";
import { countByReadiness, type ClusterProbe, type FluxObjectSummary } from "@/lib/k8s/discovery";

// The inventory facts a check writes, on a real SQLite file.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let inventory: typeof import("./inventory");
let schema: typeof import("@/db/schema");
let clusterId: string;

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  [inventory, schema] = await Promise.all([import("./inventory"), import("@/db/schema")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  clusterId = insertCluster({ name: "c", displayName: "c", labels: {}, authMethod: "token", credentials: { server: "https://127.0.0.1:1", token: "t" }, createdBy: "test" }, null).id;
});

afterAll(() => temp?.cleanup());

const object = (name: string, over: Partial<FluxObjectSummary> = {}): FluxObjectSummary => ({ kind: "Kustomization", namespace: "flux-system", name, ready: "True", reason: "ReconciliationSucceeded", message: "Applied revision: main@sha1:abc", revision: "main@sha1:abc", isSuspended: false, configuration: null, ...over });

function probeWith(objects: FluxObjectSummary[], over: Partial<ClusterProbe> = {}): ClusterProbe {
  return {
    kubernetesVersion: "v1.20.2",
    latencyMs: 3,
    nodeCount: 3,
    flux: { installed: true, version: "v2.4.0", controllers: [{ name: "kustomize-controller", ready: true }] },
    argo: { installed: false, version: null, controllers: [] },
    fluxObjects: [countByReadiness("Kustomization", objects)],
    fluxObjectList: objects,
    forbidden: [],
    fluxListing: null,
    installedGroups: new Set(["source.toolkit.fluxcd.io"]),
    failedKinds: new Map(),
    ...over,
  };
}

describe("recordHealth on a full observation", () => {
  const health = () => temp.db.select().from(schema.clusterHealth).where(eq(schema.clusterHealth.clusterId, clusterId)).get();
  const snapshot = () => temp.db.select().from(schema.clusterFluxObjects).where(eq(schema.clusterFluxObjects.clusterId, clusterId)).all();
  const events = () => temp.db.select().from(schema.clusterHealthEvents).where(eq(schema.clusterHealthEvents.clusterId, clusterId)).all();
  const t0 = 1_800_000_000_000;

  it("writes the snapshot again only when it moved, and the facts whenever they did", async () => {
    const objects = [object("apps"), object("infra")];
    await inventory.recordHealth(clusterId, undefined, probeWith(objects), undefined, t0, 30_000);
    expect(snapshot().map((o) => [o.name, o.observedAt.getTime()])).toEqual([["apps", t0], ["infra", t0]]);
    // The check's event (registration may have written one before it).
    const eventsSeen = events().length;
    expect(events().at(-1)).toMatchObject({ state: "reachable", at: new Date(t0) });

    // Found as stored: the times and latency move, the snapshot stays as written at t0.
    await inventory.recordHealth(clusterId, health(), probeWith(objects, { latencyMs: 9 }), undefined, t0 + 300_000, 30_000);
    expect(health()).toMatchObject({ checkedAt: new Date(t0 + 300_000), nextCheckAt: new Date(t0 + 330_000), latencyMs: 9, nodeCount: 3 });
    expect(snapshot().map((o) => o.observedAt.getTime())).toEqual([t0, t0]);
    expect(events()).toHaveLength(eventsSeen);

    // One object's message moved: the snapshot is written again, the facts are still as stored.
    const moved = [object("apps", { message: "Applied revision: main@sha1:def", revision: "main@sha1:def" }), object("infra")];
    await inventory.recordHealth(clusterId, health(), probeWith(moved), undefined, t0 + 600_000, 30_000);
    expect(snapshot().map((o) => [o.name, o.revision, o.observedAt.getTime()])).toEqual([["apps", "main@sha1:def", t0 + 600_000], ["infra", "main@sha1:abc", t0 + 600_000]]);

    // An object gone and the node count moved: both written.
    await inventory.recordHealth(clusterId, health(), probeWith(moved.slice(0, 1), { nodeCount: 4 }), undefined, t0 + 900_000, 30_000);
    expect(snapshot().map((o) => o.name)).toEqual(["apps"]);
    expect(health()).toMatchObject({ nodeCount: 4, checkedAt: new Date(t0 + 900_000), fluxObjectCounts: [{ kind: "Kustomization", ready: 1, notReady: 0, unknown: 0 }] });

    // A controller no longer ready is a fact that moved, with the snapshot as stored.
    await inventory.recordHealth(clusterId, health(), probeWith(moved.slice(0, 1), { nodeCount: 4, flux: { installed: true, version: "v2.4.0", controllers: [{ name: "kustomize-controller", ready: false }] } }), undefined, t0 + 1_200_000, 30_000);
    expect(health()?.fluxControllers).toEqual([{ name: "kustomize-controller", ready: false }]);
    expect(snapshot().map((o) => o.observedAt.getTime())).toEqual([t0 + 900_000]);
    expect(events()).toHaveLength(eventsSeen);
  });

  it("says why a cluster is only partly readable when it finds it as stored", async () => {
    const limited = probeWith([object("apps")], { forbidden: ["list nodes"], nodeCount: null });
    const first = await inventory.recordHealth(clusterId, health(), limited, undefined, t0 + 1_500_000, 30_000);
    expect(first.reason).toMatch(/^403 Forbidden: these credentials may not list nodes/);
    const again = await inventory.recordHealth(clusterId, health(), limited, undefined, t0 + 1_800_000, 30_000);
    expect(again).toMatchObject({ state: "reachable", reason: first.reason });
    expect(health()).toMatchObject({ checkedAt: new Date(t0 + 1_800_000), reason: first.reason });
  });
});

describe("dueClusterIds", () => {
  it("names the clusters never checked and those whose next check has come, and no other", async () => {
    const { insertCluster } = await import("@/lib/inventory/registry");
    const register = (name: string) => insertCluster({ name, displayName: name, labels: {}, authMethod: "token", credentials: { server: "https://127.0.0.1:1", token: "t" }, createdBy: "test" }, null).id;
    const [never, due, later] = [register("due-never"), register("due-now"), register("due-later")];
    const t0 = 1_900_000_000_000;
    // One check each for two of them: their next checks come 30 s after t0 and t0 + 60 s.
    await inventory.recordHealth(due, undefined, probeWith([]), undefined, t0, 30_000);
    await inventory.recordHealth(later, undefined, probeWith([]), undefined, t0 + 60_000, 30_000);
    const dueAt = (now: number) => inventory.dueClusterIds(now).filter((id) => [never, due, later].includes(id)).sort();
    expect(dueAt(t0)).toEqual([never]);
    expect(dueAt(t0 + 30_000)).toEqual([never, due].sort());
    expect(dueAt(t0 + 90_000)).toEqual([never, due, later].sort());
    // A cluster removed is no longer named, checked or not.
    temp.db.delete(schema.clusters).where(eq(schema.clusters.id, due)).run();
    expect(dueAt(t0 + 90_000)).toEqual([never, later].sort());
  });
});
