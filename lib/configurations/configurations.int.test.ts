import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import { startFleet, type TestCluster } from "@/test-support/cluster";
import { useTempDatabase } from "@/test-support/temp-db";

// Label-selector targeting against real API servers: pushes follow the labels, relabelling
// adds or removes a configuration, and deletion removes (or orphans) its objects.
let fleet: TestCluster[];
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("./store");
let retarget: typeof import("./retarget");
let registry: typeof import("@/lib/inventory/registry");
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
const ids: Record<string, string> = {};
const fast = { retry: { retries: 1, baseMs: 50, maxMs: 100 }, clusterTimeoutMs: 5000 };

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  fleet = await startFleet(2, { name: "targets" });
  [store, retarget, registry] = await Promise.all([import("./store"), import("./retarget"), import("@/lib/inventory/registry")]);
  register("alpha", fleet[0]!, { env: "prod" });
  register("beta", fleet[1]!, { env: "dev" });
});

afterAll(async () => {
  await Promise.all((fleet ?? []).map((c) => c.stop()));
  temp?.cleanup();
});

function register(name: string, cluster: Pick<TestCluster, "server" | "adminToken" | "caData">, labels: Record<string, string>) {
  const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
  ids[name] = registry.insertCluster({ name, displayName: name, labels, authMethod: "token", credentials, createdBy: "test" }, null).id;
  return ids[name]!;
}

function spec(name: string, targets: Record<string, unknown>) {
  return {
    name,
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "infra", path: "infrastructure" }],
    targets,
  };
}

function create(name: string, targets: Record<string, unknown>): string {
  const result = store.createConfiguration(spec(name, targets), { author: actor.email });
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return result.configuration.id;
}

async function pushAll(id: string) {
  const { startRollout } = await import("@/lib/push/rollouts");
  const { runRollout } = await import("@/lib/push/run");
  const started = startRollout(id, store.getConfiguration(id)!.currentVersion, { actor });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  return (await runRollout(started.rolloutId, fast))!;
}

async function sourceOn(cluster: TestCluster, name: string) {
  return cluster.rest().get("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", name);
}

describe("label-selector targeting", () => {
  let prodOnly: string;

  it("pushes to the clusters whose labels match, and only to them", async () => {
    prodOnly = create("prod-only", { selector: { matchLabels: { env: "prod" } } });
    const progress = await pushAll(prodOnly);
    expect(progress.clusters.map((c) => [c.clusterName, c.state])).toEqual([["alpha", "applied"]]);
    expect(await sourceOn(fleet[0]!, "prod-only")).toBeDefined();
    expect(await sourceOn(fleet[1]!, "prod-only")).toBeUndefined();
  });

  it("gives the configuration to a cluster relabelled to match", async () => {
    registry.updateClusterLabels(ids.beta!, { env: "prod" });
    const actions = await retarget.reconcileTargetsForCluster(ids.beta!, { actor, settings: fast });
    expect(actions).toEqual([expect.objectContaining({ configurationName: "prod-only", action: "pushed" })]);
    expect(await sourceOn(fleet[1]!, "prod-only")).toBeDefined();
    expect(store.getConfiguration(prodOnly)?.targets.map((t) => t.clusterName)).toEqual(["alpha", "beta"]);
    // Asking again changes nothing.
    expect(await retarget.reconcileTargetsForCluster(ids.beta!, { actor, settings: fast })).toEqual([]);
  });

  it("removes it from a cluster that stops matching", async () => {
    registry.updateClusterLabels(ids.alpha!, { env: "staging" });
    const actions = await retarget.reconcileTargetsForCluster(ids.alpha!, { actor, settings: fast });
    expect(actions).toEqual([expect.objectContaining({ configurationName: "prod-only", action: "removed" })]);
    expect(await sourceOn(fleet[0]!, "prod-only")).toBeUndefined();
    expect(await fleet[0]!.rest().get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "prod-only-infra")).toBeUndefined();
    expect(store.getConfiguration(prodOnly)?.targets.map((t) => t.clusterName)).toEqual(["beta"]);
  });

  it("gives it to a newly registered cluster that matches", async () => {
    // A second registration of the first API server, as another cluster would be registered.
    const gamma = register("gamma", fleet[0]!, { env: "prod" });
    const actions = await retarget.reconcileTargetsForCluster(gamma, { actor, settings: fast });
    expect(actions.map((a) => [a.configurationName, a.action])).toEqual([["prod-only", "pushed"]]);
    expect(await sourceOn(fleet[0]!, "prod-only")).toBeDefined();
  });

  it("keeps an explicitly listed cluster whatever its labels", async () => {
    const pinned = create("pinned", { clusterIds: [ids.alpha!], selector: { matchLabels: { env: "prod" } } });
    await pushAll(pinned);
    registry.updateClusterLabels(ids.alpha!, { env: "nothing" });
    const actions = await retarget.reconcileTargetsForCluster(ids.alpha!, { actor, settings: fast });
    expect(actions.filter((a) => a.configurationName === "pinned")).toEqual([]);
    expect(await sourceOn(fleet[0]!, "pinned")).toBeDefined();
  });
});

describe("deletion", () => {
  it("removes the objects from every cluster, then frees the name", async () => {
    const { deleteConfiguration } = await import("./delete");
    const id = store.findConfigurationByName("prod-only")!.id;
    const result = await deleteConfiguration(id, { removeFromClusters: true, actor, settings: fast });
    expect(result.status).toBe("deleted");
    expect(result.status === "deleted" && result.removal?.clusters.map((c) => [c.clusterName, c.state])).toEqual([
      ["beta", "removed"],
      ["gamma", "removed"],
    ]);
    expect(await sourceOn(fleet[0]!, "prod-only")).toBeUndefined();
    expect(await sourceOn(fleet[1]!, "prod-only")).toBeUndefined();
    expect(store.getConfiguration(id)).toBeUndefined();
    expect(store.createConfiguration(spec("prod-only", { clusterIds: [ids.beta!] }), { author: "a" }).status).toBe("ok");
  });

  it("orphans them when asked to", async () => {
    const { deleteConfiguration } = await import("./delete");
    const id = store.findConfigurationByName("pinned")!.id;
    expect((await deleteConfiguration(id, { removeFromClusters: false, actor })).status).toBe("deleted");
    expect(await sourceOn(fleet[0]!, "pinned")).toBeDefined();
  });

  it("keeps the configuration when a cluster cannot be cleaned up", async () => {
    const { deleteConfiguration } = await import("./delete");
    const dead = register("dead", { server: "https://127.0.0.1:1", adminToken: "x", caData: fleet[0]!.caData }, {});
    const id = create("stuck", { clusterIds: [dead, ids.beta!] });
    await pushAll(id);
    const result = await deleteConfiguration(id, { removeFromClusters: true, actor, settings: fast });
    expect(result.status).toBe("removal-failed");
    if (result.status === "removal-failed") {
      expect(result.removal.clusters.map((c) => [c.clusterName, c.state])).toEqual([
        ["dead", "failed"],
        ["beta", "removed"],
      ]);
    }
    expect(store.getConfiguration(id)).toBeDefined();
  });
});
