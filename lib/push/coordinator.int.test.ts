import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import { startFaultProxy, type FaultProxy } from "@/test-support/fault-proxy";
import { startHarness, type Harness } from "@/test-support/harness";
import type { KubeObject } from "@/test-support/kube-rest";
import { useTempDatabase } from "@/test-support/temp-db";

// Issue 14, defect 1: two rollouts of one configuration meeting. Two real API servers: "fast",
// and "slow", reached through a proxy that holds every request (a slow link to one cluster).
// Each race must end with every cluster on the newest intent, and the rows saying so truthfully.
let harness: Harness;
let proxy: FaultProxy;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("@/lib/configurations/store");
let rollouts: typeof import("./rollouts");
let run: typeof import("./run");
let tables: typeof import("@/db/schema-configurations");
let fast: string;
let slow: string;
let slowDelayMs = 0;
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
const settings = { retry: { retries: 1, baseMs: 100, maxMs: 300 } };
const KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/v1";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  // No stand-in: the objects themselves are what these tests read (no finalizers to wait for).
  harness = await startHarness({ clusters: 2, name: "coord", standIn: false, git: false });
  proxy = await startFaultProxy(harness.clusters[1]!, { delayMs: () => slowDelayMs });
  [store, rollouts, run, tables] = await Promise.all([import("@/lib/configurations/store"), import("./rollouts"), import("./run"), import("@/db/schema-configurations")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  const register = (index: number, server: string) => {
    const cluster = harness.clusters[index]!;
    const credentials = { server, token: cluster.adminToken, caData: cluster.caData };
    return insertCluster({ name: cluster.name, displayName: cluster.name, labels: { env: "prod" }, authMethod: "token", credentials, createdBy: "test" }, null).id;
  };
  fast = register(0, harness.clusters[0]!.server);
  slow = register(1, proxy.server);
});

afterAll(async () => {
  await proxy?.stop();
  await harness?.stop();
  temp?.cleanup();
});

type Kustomization = { name: string; path: string; timeout?: string };

function spec(name: string, kustomizations: Kustomization[]) {
  return {
    name,
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, interval: "1m" },
    kustomizations,
    targets: { selector: { matchLabels: { env: "prod" } } },
  };
}

function save(name: string, kustomizations: Kustomization[], id?: string): { id: string; version: number } {
  const input = spec(name, kustomizations);
  const result = id ? store.updateConfiguration(id, input, { author: actor.email }) : store.createConfiguration(input, { author: actor.email });
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return { id: result.configuration.id, version: result.version };
}

function start(id: string, version: number): string {
  const started = rollouts.startRollout(id, version, { actor });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  return started.rolloutId;
}

const rowOf = (rolloutId: string, clusterId: string) => rollouts.getRolloutProgress(rolloutId)?.clusters.find((row) => row.clusterId === clusterId);

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function restOf(clusterId: string) {
  return harness.clusters[clusterId === fast ? 0 : 1]!.rest();
}

async function kustomization(clusterId: string, name: string): Promise<KubeObject | undefined> {
  const live = await restOf(clusterId).get(KUSTOMIZATION, "Kustomization", "flux-system", name);
  return live?.metadata.deletionTimestamp ? undefined : live;
}

/** The configuration's Kustomizations on a cluster: name -> the version annotation each carries. */
async function versions(clusterId: string, configuration: string): Promise<Record<string, string | undefined>> {
  const { items } = await restOf(clusterId).list(KUSTOMIZATION, "Kustomization", "flux-system");
  const mine = items.filter((item) => item.metadata.labels?.["fleetline.io/configuration"] === configuration && !item.metadata.deletionTimestamp);
  return Object.fromEntries(mine.map((item) => [item.metadata.name, item.metadata.annotations?.["fleetline.io/version"]]));
}

/** [startedAt, finishedAt] of two rows never overlap: the later one began after the earlier one ended (or never began). */
function expectNotSideBySide(first: { startedAt: Date | null; finishedAt: Date | null } | undefined, second: { startedAt: Date | null; finishedAt: Date | null } | undefined) {
  if (!first?.startedAt || !second?.startedAt) return;
  expect(second.startedAt.getTime(), "the second rollout's row started while the first one's was applying").toBeGreaterThanOrEqual(first.finishedAt!.getTime());
}

const both: Kustomization[] = [
  { name: "infra", path: "infrastructure" },
  { name: "apps", path: "apps" },
];
const infraOnly: Kustomization[] = [{ name: "infra", path: "infrastructure" }];

describe("push then roll back, with a slow link to one cluster", () => {
  it("ends on the rollback everywhere: the older push never prunes what the rollback put back", async () => {
    const v1 = save("rollback", both);
    slowDelayMs = 0;
    await run.runRollout(start(v1.id, v1.version), settings);
    expect(await versions(slow, "rollback")).toEqual({ "rollback-infra": "1", "rollback-apps": "1" });

    // v2 drops the apps Kustomization; the slow cluster is mid-apply when the operator rolls back.
    slowDelayMs = 250;
    const v2 = save("rollback", infraOnly, v1.id);
    const second = start(v2.id, v2.version);
    const pushing = run.runRollout(second, settings);
    await until("v2 applying on the slow cluster", () => rowOf(second, slow)?.state === "applying");
    const v3 = save("rollback", both, v1.id);
    const third = start(v3.id, v3.version);
    const rollingBack = run.runRollout(third, settings);
    await Promise.all([pushing, rollingBack]);
    slowDelayMs = 0;

    for (const cluster of [fast, slow]) expect(await versions(cluster, "rollback"), cluster === slow ? "slow cluster" : "fast cluster").toEqual({ "rollback-infra": "3", "rollback-apps": "3" });
    const final = rollouts.getRolloutProgress(third)!;
    expect(final.clusters.map((row) => row.state)).toEqual(["applied", "applied"]);
    // The older push's row on the slow cluster finished before the rollback's started.
    expectNotSideBySide(rowOf(second, slow), rowOf(third, slow));
    const older = rollouts.getRolloutProgress(second)!;
    for (const row of older.clusters) expect(["applied", "superseded"]).toContain(row.state);
  });
});

describe("double click", () => {
  it("two pushes of the same version never apply side by side on a cluster", async () => {
    const v1 = save("clicky", both);
    slowDelayMs = 150;
    const first = start(v1.id, v1.version);
    const firstRun = run.runRollout(first, settings);
    const second = start(v1.id, v1.version);
    const secondRun = run.runRollout(second, settings);
    await Promise.all([firstRun, secondRun]);
    slowDelayMs = 0;
    for (const cluster of [fast, slow]) {
      expectNotSideBySide(rowOf(first, cluster), rowOf(second, cluster));
      expect(rowOf(second, cluster)?.state).toBe("applied");
    }
    expect(await versions(slow, "clicky")).toEqual({ "clicky-infra": "1", "clicky-apps": "1" });
  });
});

describe("delete during a push", () => {
  it("waits for the cluster being applied, then removes everything: nothing orphaned, the configuration deleted", async () => {
    const { deleteConfiguration } = await import("@/lib/configurations/delete");
    const many: Kustomization[] = ["a", "b", "c", "d", "e"].map((name) => ({ name, path: `apps/${name}` }));
    const v1 = save("doomed", many);
    slowDelayMs = 250;
    const push = start(v1.id, v1.version);
    const pushing = run.runRollout(push, settings);
    await until("the push applying on the slow cluster", () => rowOf(push, slow)?.state === "applying");
    const deleted = await deleteConfiguration(v1.id, { removeFromClusters: true, actor, settings });
    await pushing;
    slowDelayMs = 0;
    expect(deleted.status).toBe("deleted");
    for (const cluster of [fast, slow]) expect(await versions(cluster, "doomed"), cluster === slow ? "slow cluster" : "fast cluster").toEqual({});
    expect(await restOf(slow).get("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "doomed")).toBeUndefined();
    const row = temp.db.select().from(tables.configurations).all().find((c) => c.id === v1.id);
    expect(row?.deletedAt).not.toBeNull();
    // No push is accepted for it any more.
    expect(rollouts.startRollout(v1.id, v1.version, { actor }).status).toBe("not-found");
  });
});

describe("two quick relabels of one cluster", () => {
  it("out of the selector and straight back in: the cluster ends with the objects", async () => {
    const { updateClusterLabels } = await import("@/lib/inventory/registry");
    const { reconcileTargetsForCluster } = await import("@/lib/configurations/retarget");
    const v1 = save("labelled", infraOnly);
    slowDelayMs = 0;
    await run.runRollout(start(v1.id, v1.version), settings);
    expect(await kustomization(slow, "labelled-infra")).toBeDefined();

    slowDelayMs = 250;
    updateClusterLabels(slow, { env: "lab" });
    const out = reconcileTargetsForCluster(slow, { actor, settings });
    updateClusterLabels(slow, { env: "prod" });
    const back = reconcileTargetsForCluster(slow, { actor, settings });
    const [removed, pushed] = await Promise.all([out, back]);
    slowDelayMs = 0;
    expect(removed.find((a) => a.configurationName === "labelled")?.action).toBe("removed");
    expect(pushed.find((a) => a.configurationName === "labelled")?.action).toBe("pushed");
    expect((await kustomization(slow, "labelled-infra"))?.metadata.annotations?.["fleetline.io/version"]).toBe("1");
    const targets = temp.db.select().from(tables.configurationTargets).all().filter((t) => t.configurationId === v1.id && t.clusterId === slow);
    expect(targets).toHaveLength(1);
  });
});

describe("restart", () => {
  it("a push recorded while a resumed rollout runs queues behind it: the older version never lands last", async () => {
    const v1 = save("restarted", both);
    slowDelayMs = 0;
    await run.runRollout(start(v1.id, v1.version), settings);
    // As a crash leaves it: v2 (without apps) recorded, nothing applied.
    const v2 = save("restarted", infraOnly, v1.id);
    const crashed = start(v2.id, v2.version);
    slowDelayMs = 250;
    const resuming = run.resumeInterruptedRollouts(settings, { wait: false });
    await until("the resumed v2 applying on the slow cluster", () => rowOf(crashed, slow)?.state === "applying");
    const v3 = save("restarted", both, v1.id);
    const pushing = run.runRollout(start(v3.id, v3.version), settings);
    await resuming;
    await pushing;
    await run.runRollout(crashed);
    slowDelayMs = 0;
    for (const cluster of [fast, slow]) expect(await versions(cluster, "restarted"), cluster === slow ? "slow cluster" : "fast cluster").toEqual({ "restarted-infra": "3", "restarted-apps": "3" });
  });

  it("a row left applying inside a finished rollout is marked interrupted and retried", async () => {
    const { eq } = await import("drizzle-orm");
    const v1 = save("leftover", infraOnly);
    slowDelayMs = 0;
    await run.runRollout(start(v1.id, v1.version), settings);
    const v2 = save("leftover", both, v1.id);
    const crashed = start(v2.id, v2.version);
    // The crash: the rollout was marked done while the fast cluster's row was still applying.
    temp.db.update(tables.rollouts).set({ state: "done", finishedAt: new Date() }).where(eq(tables.rollouts.id, crashed)).run();
    temp.db.update(tables.rolloutClusters).set({ state: "applying", attempts: 1 }).where(eq(tables.rolloutClusters.rolloutId, crashed)).run();
    const report = await run.resumeInterruptedRollouts(settings);
    expect(report.interrupted).toContain(crashed);
    expect(rollouts.getRolloutProgress(crashed)!.clusters.map((row) => row.state)).toEqual(["interrupted", "interrupted"]);
    expect(report.retried).toHaveLength(1);
    const retry = rollouts.getRolloutProgress(report.retried[0]!)!;
    expect(retry).toMatchObject({ version: v2.version, state: "done" });
    expect(retry.clusters.map((row) => row.state)).toEqual(["applied", "applied"]);
    for (const cluster of [fast, slow]) expect(await versions(cluster, "leftover")).toEqual({ "leftover-infra": "2", "leftover-apps": "2" });
  });

  it("a deletion a crash left running marks the configuration deleted when it is resumed", async () => {
    const v1 = save("gone", infraOnly);
    slowDelayMs = 0;
    await run.runRollout(start(v1.id, v1.version), settings);
    const removal = rollouts.startRemoval(v1.id, [fast, slow], { actor, trigger: "delete" });
    expect(removal).toBeDefined();
    const report = await run.resumeInterruptedRollouts(settings);
    expect(report.resumed).toContain(removal);
    for (const cluster of [fast, slow]) expect(await versions(cluster, "gone")).toEqual({});
    const row = temp.db.select().from(tables.configurations).all().find((c) => c.id === v1.id);
    expect(row?.deletedAt).not.toBeNull();
    expect(store.findConfigurationByName("gone")).toBeUndefined();
  });
});
