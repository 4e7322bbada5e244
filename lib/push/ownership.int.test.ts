import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import { startHarness, type Harness } from "@/test-support/harness";
import { useTempDatabase } from "@/test-support/temp-db";

// Issue 14, defect 2: configurations taking each other's objects, and the move from the one
// shared field manager "fleetline" to one per configuration, against a real API server.
let harness: Harness;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("@/lib/configurations/store");
let rollouts: typeof import("./rollouts");
let run: typeof import("./run");
let clusterId: string;
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
const settings = { retry: { retries: 1, baseMs: 100, maxMs: 300 } };
const KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/v1";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  harness = await startHarness({ clusters: 1, name: "owner", standIn: false, git: false });
  [store, rollouts, run] = await Promise.all([import("@/lib/configurations/store"), import("./rollouts"), import("./run")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  const cluster = harness.clusters[0]!;
  const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
  clusterId = insertCluster({ name: cluster.name, displayName: cluster.name, labels: { env: "prod" }, authMethod: "token", credentials, createdBy: "test" }, null).id;
});

afterAll(async () => {
  await harness?.stop();
  temp?.cleanup();
});

function spec(name: string, kustomizations: Record<string, unknown>[]) {
  return {
    name,
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, interval: "1m" },
    kustomizations,
    targets: { clusterIds: [clusterId] },
  };
}

function save(input: ReturnType<typeof spec>, id?: string): { id: string; version: number } {
  const result = id ? store.updateConfiguration(id, input, { author: actor.email }) : store.createConfiguration(input, { author: actor.email });
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return { id: result.configuration.id, version: result.version };
}

async function push(id: string, version: number) {
  const started = rollouts.startRollout(id, version, { actor });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  return (await run.runRollout(started.rolloutId, settings))!;
}

const rest = () => harness.clusters[0]!.rest();

type ManagedFields = { manager: string; operation: string }[];

describe("another configuration's object", () => {
  it("is never forced: the push fails naming the other configuration's field manager, and the object keeps its owner", async () => {
    const a = save(spec("a", [{ name: "b-c", path: "infrastructure" }]));
    expect((await push(a.id, a.version)).clusters[0]?.state).toBe("applied");
    // A collision saved before the save-time check existed: `a-b` + `c` renders Kustomization flux-system/a-b-c.
    const ab = save(spec("a-b", [{ name: "x", path: "apps" }]));
    const { configurations, configurationVersions } = await import("@/db/schema-configurations");
    const { eq } = await import("drizzle-orm");
    const colliding = { ...store.getVersion(ab.id, 1)!.spec, kustomizations: [{ ...store.getVersion(ab.id, 1)!.spec.kustomizations[0]!, name: "c", path: "apps" }] };
    temp.db.insert(configurationVersions).values({ configurationId: ab.id, version: 2, spec: colliding, author: "test" }).run();
    temp.db.update(configurations).set({ currentVersion: 2 }).where(eq(configurations.id, ab.id)).run();

    const progress = await push(ab.id, 2);
    const row = progress.clusters[0]!;
    expect(row.state).toBe("failed");
    expect(row.reason).toMatch(/^Kustomization flux-system\/a-b-c: conflict/);
    expect(row.conflicts.map((c) => c.manager)).toContain(`fleetline/${a.id}`);
    const live = await rest().get(KUSTOMIZATION, "Kustomization", "flux-system", "a-b-c");
    expect(live?.metadata.labels?.["fleetline.io/configuration"]).toBe("a");
    expect(live?.metadata.labels?.["fleetline.io/configuration-id"]).toBe(a.id);
    expect((live?.spec as { path: string }).path).toBe("./infrastructure");
  });
});

describe("handing over from the shared 'fleetline' field manager", () => {
  it("takes over objects applied by the old manager without a conflict, and removes the fields the new version dropped", async () => {
    const { renderFluxObjects } = await import("@/lib/reconcilers/flux/render");
    const first = save(spec("legacy", [
      { name: "infra", path: "infrastructure", timeout: "2m" },
      { name: "apps", path: "apps", targetNamespace: "podinfo" },
    ]));
    // As the previous release pushed it: every object applied by the one shared manager, without the id label.
    const objects = renderFluxObjects({ spec: store.getVersion(first.id, 1)!.spec, version: 1, configurationId: first.id });
    for (const object of objects) {
      const labels = { ...object.metadata.labels };
      delete labels["fleetline.io/configuration-id"];
      await rest().apply({ ...object, metadata: { ...object.metadata, labels } } as Parameters<ReturnType<typeof rest>["apply"]>[0], "fleetline", { force: false });
    }
    // v2 changes a value (infra's timeout: conflicts with the old manager) and drops a field (apps' targetNamespace).
    const second = save(spec("legacy", [
      { name: "infra", path: "infrastructure", timeout: "3m" },
      { name: "apps", path: "apps" },
    ]), first.id);
    const progress = await push(second.id, second.version);
    expect(progress.clusters[0]).toMatchObject({ state: "applied", conflicts: [] });

    const infra = await rest().get(KUSTOMIZATION, "Kustomization", "flux-system", "legacy-infra");
    const apps = await rest().get(KUSTOMIZATION, "Kustomization", "flux-system", "legacy-apps");
    expect((infra?.spec as { timeout?: string }).timeout).toBe("3m");
    expect((apps?.spec as { targetNamespace?: string }).targetNamespace).toBeUndefined();
    for (const live of [infra, apps]) {
      const managers = (live?.metadata.managedFields as ManagedFields).filter((entry) => entry.operation === "Apply").map((entry) => entry.manager);
      expect(managers).toEqual([`fleetline/${first.id}`]);
      expect(live?.metadata.labels?.["fleetline.io/configuration-id"]).toBe(first.id);
    }
    const source = await rest().get("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "legacy");
    expect((source?.metadata.managedFields as ManagedFields).filter((entry) => entry.operation === "Apply").map((entry) => entry.manager)).toEqual([`fleetline/${first.id}`]);

    // From now on a plain edit applies without any handover or force.
    const third = save(spec("legacy", [{ name: "infra", path: "infrastructure", timeout: "4m" }, { name: "apps", path: "apps" }]), first.id);
    expect((await push(third.id, third.version)).clusters[0]?.state).toBe("applied");
    expect(((await rest().get(KUSTOMIZATION, "Kustomization", "flux-system", "legacy-infra"))?.spec as { timeout?: string }).timeout).toBe("4m");
  });
});
