import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { startHarness, type Harness } from "@/test-support/harness";
import type { KubeObject } from "@/test-support/kube-rest";
import { createSampleRepo } from "@/test-support/git-fixtures";
import { pushVersion, saveVersion } from "@/test-support/push-steps";
import { useTempDatabase } from "@/test-support/temp-db";

// Pushes against real API servers with the Flux stand-in running: objects read back field by
// field, conflicts, pruning, dry-run, an unreachable cluster, and resuming after a crash.
let harness: Harness;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("@/lib/configurations/store");
let rollouts: typeof import("./rollouts");
let run: typeof import("./run");
let gitUrl: string;
let credentialId: string;
const ids: string[] = [];
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
const TOKEN = "canary-git-token-5d1e";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  process.env.FLEETLINE_ALLOW_LOCAL_SOURCES = "true";
  temp = await useTempDatabase();
  harness = await startHarness({ clusters: 3, name: "push", resyncMs: 500 });
  const sample = await createSampleRepo(harness.git!, "private-fleet", { auth: { username: "fleet-bot", password: TOKEN } });
  gitUrl = sample.repo.url;
  [store, rollouts, run] = await Promise.all([import("@/lib/configurations/store"), import("./rollouts"), import("./run")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  for (const [index, cluster] of harness.clusters.entries()) {
    const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
    const labels = { env: index < 2 ? "prod" : "lab" };
    ids.push(insertCluster({ name: cluster.name, displayName: cluster.name, labels, authMethod: "token", credentials, createdBy: "test" }, null).id);
  }
  const { createCredential } = await import("@/lib/credentials/store");
  const created = await createCredential({ type: "https", name: "harness-git", host: "127.0.0.1", username: "fleet-bot", password: TOKEN }, { author: "admin" });
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  credentialId = created.credential.id;
});

afterAll(async () => {
  await harness?.stop();
  temp?.cleanup();
});

function fleetSpec(overrides: Record<string, unknown> = {}) {
  return {
    name: "fleet",
    scope: "cluster",
    source: { kind: "GitRepository", url: gitUrl, ref: { type: "branch", value: "main" }, interval: "1m", timeout: "30s", credentialId },
    kustomizations: [
      { name: "infra", path: "infrastructure", prune: true, timeout: "2m", retryInterval: "30s" },
      { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", wait: false, force: true, postBuild: { substitute: { cluster_env: "prod" } } },
    ],
    targets: { selector: { matchLabels: { env: "prod" } } },
    ...overrides,
  };
}

const save = (spec: Record<string, unknown>, id?: string) => saveVersion(store, spec, actor.email, id);
const push = (id: string, version: number, clusterIds?: string[]) => pushVersion({ rollouts, run }, id, version, actor, { clusterIds, retry: { retries: 2, baseMs: 100, maxMs: 500 } });

const rest = (index: number) => harness.clusters[index]!.rest();

async function readBack(clusterIndex: number, object: Pick<RenderedObject, "apiVersion" | "kind" | "metadata">): Promise<KubeObject | undefined> {
  return harness.clusters[clusterIndex]!.rest().get(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
}

/** Every field we set is on the live object with the same value (a pruned or renamed field fails here). */
function expectLanded(live: unknown, rendered: unknown, path: string): void {
  if (typeof rendered === "object" && rendered !== null && !Array.isArray(rendered)) {
    expect(typeof live, path).toBe("object");
    for (const [key, value] of Object.entries(rendered)) expectLanded((live as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(live, path).toEqual(rendered);
}

async function rendered(id: string, version: number): Promise<RenderedObject[]> {
  const { renderFluxObjects } = await import("@/lib/reconcilers/flux/render");
  const { toRenderCredential } = await import("@/lib/credentials/store");
  const spec = store.getVersion(id, version)!.spec;
  return renderFluxObjects({ spec, version, configurationId: id, credential: toRenderCredential(credentialId, spec.source) });
}

describe("push", () => {
  let fleet: { id: string; version: number };

  it("dry-run before the first push says every object would be created", async () => {
    const { dryRunConfiguration } = await import("./dry-run");
    const result = await dryRunConfiguration(fleetSpec(), [ids[0]!]);
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    expect(result.clusters[0]?.objects.map((o) => [o.object, o.action])).toEqual([
      ["Secret flux-system/fleet-auth", "create"],
      ["GitRepository flux-system/fleet", "create"],
      ["Kustomization flux-system/fleet-infra", "create"],
      ["Kustomization flux-system/fleet-apps", "create"],
    ]);
    expect(result.yaml).toContain("password: •••• (masked)");
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("applies every object to the clusters the selector picks, every field landing", async () => {
    fleet = save(fleetSpec());
    const progress = await push(fleet.id, fleet.version);
    expect(progress.state).toBe("done");
    expect(progress.clusters.map((c) => [c.clusterId, c.state, c.reason])).toEqual([
      [ids[0], "applied", null],
      [ids[1], "applied", null],
    ]);
    expect(progress.clusters[0]?.objects).toEqual(["Secret flux-system/fleet-auth", "GitRepository flux-system/fleet", "Kustomization flux-system/fleet-infra", "Kustomization flux-system/fleet-apps"]);
    expect(JSON.stringify(progress)).not.toContain(TOKEN);
    for (const object of await rendered(fleet.id, fleet.version)) {
      for (const index of [0, 1]) {
        const live = await readBack(index, object);
        expect(live, `${object.kind} on cluster ${index}`).toBeDefined();
        expectLanded(live?.metadata, object.metadata, `${object.kind}.metadata`);
        if (object.spec) expectLanded(live?.spec, object.spec, `${object.kind}.spec`);
      }
    }
    const secret = await readBack(0, { apiVersion: "v1", kind: "Secret", metadata: { name: "fleet-auth", namespace: "flux-system" } });
    const data = secret?.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(["password", "username"]);
    expect(Buffer.from(data.username!, "base64").toString()).toBe("fleet-bot");
    expect(Buffer.from(data.password!, "base64").toString()).toBe(TOKEN);
    expect(await readBack(2, { apiVersion: "v1", kind: "Secret", metadata: { name: "fleet-auth", namespace: "flux-system" } })).toBeUndefined();
  });

  it("reaches Ready=True through the reconciler: authenticated fetch, both Kustomizations applied", async () => {
    await harness.flux[0]!.waitForReady("GitRepository", "flux-system", "fleet", 30_000);
    const apps = await harness.flux[0]!.waitForReady("Kustomization", "flux-system", "fleet-apps", 30_000);
    expect((apps.status as { lastAppliedRevision?: string }).lastAppliedRevision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(await harness.clusters[0]!.rest().get("v1", "ConfigMap", "podinfo", "podinfo-config")).toBeDefined();
  });

  it("records the push in the audit log with counts and no secret", async () => {
    const { auditLog } = await import("@/db/schema");
    const rows = temp.db.select().from(auditLog).all().filter((row) => row.action === "configuration.push");
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.parse(rows.at(-1)!.details)).toMatchObject({ configuration: "fleet", version: 1, applied: 2, failed: 0, trigger: "push" });
    expect(rows.at(-1)!.actorEmail).toBe("op@example.com");
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
    const bytes = temp.storedText();
    expect(bytes).not.toContain(TOKEN);
  });

  it("re-push is idempotent: nothing on the cluster changes", async () => {
    const objects = await rendered(fleet.id, fleet.version);
    const before = await Promise.all(objects.map((o) => readBack(0, o)));
    const progress = await push(fleet.id, fleet.version);
    expect(progress.counts.applied).toBe(2);
    const after = await Promise.all(objects.map((o) => readBack(0, o)));
    for (const [index, live] of after.entries()) {
      expect(live?.metadata.generation, objects[index]!.kind).toBe(before[index]?.metadata.generation);
      expect(live?.spec, objects[index]!.kind).toEqual(before[index]?.spec);
    }
  });

  it("dry-run after the push says unchanged, and names the fields an edit would change", async () => {
    const { dryRunConfiguration } = await import("./dry-run");
    const same = await dryRunConfiguration(fleetSpec(), [ids[0]!]);
    if (same.status !== "ok") throw new Error(JSON.stringify(same));
    expect(same.clusters[0]?.objects.map((o) => o.action)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
    const edited = await dryRunConfiguration(fleetSpec({ kustomizations: [{ name: "infra", path: "infrastructure", prune: true, timeout: "3m", retryInterval: "30s" }] }), [ids[0]!]);
    if (edited.status !== "ok") throw new Error(JSON.stringify(edited));
    expect(edited.clusters[0]?.objects.map((o) => [o.object, o.action, o.changedFields])).toEqual([
      ["Secret flux-system/fleet-auth", "unchanged", undefined],
      ["GitRepository flux-system/fleet", "unchanged", undefined],
      ["Kustomization flux-system/fleet-infra", "change", ["spec.timeout"]],
      ["Kustomization flux-system/fleet-apps", "delete", undefined],
    ]);
  });

  it("a new version that drops a Kustomization deletes it from the cluster", async () => {
    const next = save(fleetSpec({ kustomizations: [{ name: "infra", path: "infrastructure", prune: true, timeout: "2m", retryInterval: "30s" }] }), fleet.id);
    const progress = await push(next.id, next.version);
    expect(progress.clusters.map((c) => [c.state, c.pruned])).toEqual([
      ["applied", ["Kustomization flux-system/fleet-apps"]],
      ["applied", ["Kustomization flux-system/fleet-apps"]],
    ]);
    const gone = await readBack(0, { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "fleet-apps", namespace: "flux-system" } });
    // Flux's finalizer may hold it for a moment; either gone or on its way out.
    expect(gone === undefined || gone.metadata.deletionTimestamp !== undefined).toBe(true);
    const infra = await readBack(0, { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "fleet-infra", namespace: "flux-system" } });
    expect(infra?.metadata.annotations?.["fleetline.io/version"]).toBe(String(next.version));
  });
});

describe("ownership", () => {
  it("takes back a field someone edited by hand on an object Fleetline created", async () => {
    const rest = harness.clusters[0]!.rest();
    const ref = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", namespace: "flux-system", name: "fleet" };
    await rest.apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace }, spec: { interval: "99m" } }, "kubectl-edit", { force: true });
    const { id, currentVersion } = store.findConfigurationByName("fleet")!;
    const progress = await push(id, currentVersion, [ids[0]!]);
    expect(progress.clusters[0]?.state).toBe("applied");
    const live = await rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    expect((live?.spec as { interval: string }).interval).toBe("1m");
  });

  it("does not force an object it did not create: the 409 names the other field manager", async () => {
    const rest = harness.clusters[1]!.rest();
    const url = harness.git!.url("fleet-config");
    await rest.apply(
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "taken", namespace: "flux-system" }, spec: { url, interval: "7m", ref: { branch: "main" } } },
      "platform-team",
      { force: false },
    );
    const source = { kind: "GitRepository", url, ref: { type: "branch", value: "main" }, credentialId };
    const taken = save({ ...fleetSpec(), name: "taken", source, kustomizations: [{ name: "infra", path: "infrastructure" }] });
    const progress = await push(taken.id, taken.version, [ids[1]!]);
    const row = progress.clusters[0]!;
    expect(row.state).toBe("failed");
    expect(row.objects).toEqual(["Secret flux-system/taken-auth"]);
    expect(row.conflicts).toContainEqual({ manager: "platform-team", field: ".spec.interval" });
    expect(row.reason).toMatch(/^GitRepository flux-system\/taken: conflict: field manager "platform-team" owns .*\.spec\.interval/);
    const live = await rest.get("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", "taken");
    expect((live?.spec as { interval: string }).interval).toBe("7m");
    expect(live?.metadata.labels?.["app.kubernetes.io/managed-by"]).toBeUndefined();
    // The source failed, so nothing after it was applied.
    expect(await rest.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "taken-infra")).toBeUndefined();
  });

  it("dry-run shows the same conflict, and what a push into a new namespace would create", async () => {
    const { dryRunConfiguration } = await import("./dry-run");
    const url = harness.git!.url("fleet-config");
    const source = { kind: "GitRepository", url, ref: { type: "branch", value: "main" } };
    const taken = await dryRunConfiguration({ ...fleetSpec(), name: "taken", source, kustomizations: [{ name: "infra" }] }, [ids[1]!]);
    if (taken.status !== "ok") throw new Error(JSON.stringify(taken));
    const conflict = taken.clusters[0]?.objects.find((o) => o.object === "GitRepository flux-system/taken");
    expect(conflict).toMatchObject({ action: "conflict", conflicts: expect.arrayContaining([{ manager: "platform-team", field: ".spec.interval" }]) });

    const fresh = await dryRunConfiguration({ ...fleetSpec(), name: "team", namespace: "team-a", source, kustomizations: [{ name: "infra" }] }, [ids[1]!]);
    if (fresh.status !== "ok") throw new Error(JSON.stringify(fresh));
    expect(fresh.clusters[0]?.objects.map((o) => [o.object, o.action, o.message ?? ""])).toEqual([
      ["Namespace team-a", "create", ""],
      ["GitRepository team-a/team", "create", expect.stringMatching(/namespace team-a does not exist yet/)],
      ["Kustomization team-a/team-infra", "create", expect.stringMatching(/namespace team-a does not exist yet/)],
    ]);
    expect(await rest(1).get("v1", "Namespace", undefined, "team-a")).toBeUndefined();
  });
});

describe("faults", () => {
  it("resumes a rollout a crash left half done", async () => {
    const { rolloutClusters, rollouts: rolloutTable } = await import("@/db/schema-configurations");
    const { eq } = await import("drizzle-orm");
    const { id, currentVersion } = store.findConfigurationByName("fleet")!;
    const started = rollouts.startRollout(id, currentVersion, { actor });
    if (started.status !== "ok") throw new Error("setup");
    // As a crash would leave it: one cluster mid-apply, one never started.
    temp.db.update(rolloutClusters).set({ state: "applying", attempts: 1 }).where(eq(rolloutClusters.clusterId, ids[0]!)).run();
    const report = await run.resumeInterruptedRollouts();
    expect(report.resumed).toContain(started.rolloutId);
    const progress = rollouts.getRolloutProgress(started.rolloutId)!;
    expect(progress.state).toBe("done");
    expect(progress.clusters.map((c) => [c.state, c.attempts])).toEqual([
      ["applied", 2],
      ["applied", 1],
    ]);
    expect(temp.db.select().from(rolloutTable).where(eq(rolloutTable.state, "running")).all()).toEqual([]);
  });

  it("an unreachable cluster fails alone and fast while the others apply", async () => {
    const { updateClusterLabels } = await import("@/lib/inventory/registry");
    updateClusterLabels(ids[2]!, { env: "prod" });
    await harness.clusters[2]!.stop();
    const { id, currentVersion } = store.findConfigurationByName("fleet")!;
    const started = Date.now();
    const progress = await push(id, currentVersion);
    const byId = new Map(progress.clusters.map((c) => [c.clusterId, c]));
    expect(byId.get(ids[0]!)?.state).toBe("applied");
    expect(byId.get(ids[1]!)?.state).toBe("applied");
    const dead = byId.get(ids[2]!)!;
    expect(dead.state).toBe("failed");
    expect(dead.reason).toMatch(/^connection refused/i);
    expect(dead.finishedAt!.getTime() - dead.startedAt!.getTime()).toBeLessThan(3000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
