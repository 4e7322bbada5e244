import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";
import { onPostgres } from "@/test-support/temp-db";

// The collector against real API servers with the Flux stand-in and the Git server. The
// stand-in honours spec.interval (10m here), so nothing reconciles unless an object changes
// or a reconcile is requested: each state below is observed deterministically.
let fleet: FleetFixture;
let collector: typeof import("@/lib/observe/loop");
let verbs: typeof import("./verbs");
let db: typeof import("@/db/schema-status");
let fleetId: string;
const WRONG_PASSWORD = "canary-wrong-password-4c1d";

beforeAll(async () => {
  fleet = await startFleetFixture({ clusters: 3, name: "status", resyncMs: 0 });
  [collector, verbs, db] = await Promise.all([import("@/lib/observe/loop"), import("./verbs"), import("@/db/schema-status")]);
});

afterAll(async () => {
  await fleet?.stop();
});

const sample = () => fleet.harness.sample!;
const ids = () => fleet.clusterIds;

function spec(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    scope: "cluster",
    source: { kind: "GitRepository", url: sample().repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
    kustomizations: [
      { name: "infra", path: "./infrastructure", prune: true },
      { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true },
    ],
    targets: { selector: { matchLabels: { env: "prod" } } },
    ...overrides,
  };
}

function rowOf(clusterId: string, configurationId: string): ConfigurationStatus | undefined {
  return fleet.temp.db.select().from(db.configurationStatus).all().find((r) => r.clusterId === clusterId && r.configurationId === configurationId);
}

/** Sweeps until the row matches (or fails with the last row seen). */
async function sweepUntil(clusterId: string, configurationId: string, predicate: (row: ConfigurationStatus) => boolean, timeoutMs = 30_000): Promise<ConfigurationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await collector.runStatusSweep({ gitMaxAgeMs: 0 });
    const row = rowOf(clusterId, configurationId);
    if (row && predicate(row)) return row;
    if (Date.now() > deadline) throw new Error(`timed out; last row: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe("compliance", () => {
  it("goes Pending -> Compliant at the pushed revision, with per-object statuses and history", async () => {
    // fleet-apps is held mid-reconcile on every cluster, so the first sweep surely sees the push in progress.
    for (const flux of fleet.harness.flux) flux.stall("Kustomization", "flux-system", "fleet-apps");
    const saved = fleet.save(spec("fleet"));
    fleetId = saved.id;
    const progress = await fleet.push(saved.id, saved.version);
    expect(progress.counts.applied).toBe(3);
    // (A sweep that times out on a loaded machine reads Unknown; the held Kustomization keeps the row Pending until recovered.)
    const pending = await sweepUntil(ids()[0]!, fleetId, (r) => r.state === "Pending").finally(() => {
      for (const flux of fleet.harness.flux) flux.recover("Kustomization", "flux-system", "fleet-apps");
    });
    expect(pending).toMatchObject({ state: "Pending", expectedVersion: 1 });
    const revision = `main@sha1:${sample().commits.bump}`;
    const row = await sweepUntil(ids()[0]!, fleetId, (r) => r.state === "Compliant");
    expect(row).toMatchObject({ appliedRevision: revision, sourceRevision: revision, appliedVersion: 1, behindBy: 0, hasConfigDrift: false, hasRevisionDrift: false, hasResourceDrift: false });
    expect(row.lastAppliedAt).toBeInstanceOf(Date);
    expect(row.reason).toBe("GitRepository/fleet: Succeeded");
    const { objectStatuses, statusHistory } = await import("@/lib/queries/configuration-status");
    const objects = objectStatuses(ids()[0]!, fleetId);
    expect(objects.map((o) => [o.kind, o.name, o.state, o.ready])).toEqual([
      ["GitRepository", "fleet", "Compliant", "True"],
      ["Kustomization", "fleet-apps", "Compliant", "True"],
      ["Kustomization", "fleet-infra", "Compliant", "True"],
    ]);
    expect(objects.find((o) => o.name === "fleet-apps")?.inventory).toEqual(expect.arrayContaining([{ id: "podinfo_podinfo__Service", v: "v1" }]));
    expect(statusHistory(fleetId, { clusterId: ids()[0]! }).map((h) => h.state).reverse()).toEqual(expect.arrayContaining(["Pending", "Compliant"]));
    await sweepUntil(ids()[1]!, fleetId, (r) => r.state === "Compliant");
  });

  it("a broken path is Non-Compliant, naming the Kustomization and Flux's message", async () => {
    const broken = fleet.save(spec("broken", { kustomizations: [{ name: "app", path: "./does-not-exist" }], targets: { clusterIds: [ids()[1]!] } }));
    await fleet.push(broken.id, broken.version);
    // kustomize-controller: a missing path is ArtifactFailed, at the new generation, while
    // status.observedGeneration stays -1 (it only moves on success): Non-Compliant at once, not
    // "generation 1 not reconciled yet". Until the source has an artifact it waits (Pending).
    const row = await sweepUntil(ids()[1]!, broken.id, (r) => r.state === "Non-Compliant");
    expect(row.reason).toBe("Kustomization/broken-app: ArtifactFailed");
    expect(row.message).toMatch(/kustomization path not found/);
    const { objectStatuses } = await import("@/lib/queries/configuration-status");
    expect(objectStatuses(ids()[1]!, broken.id).find((o) => o.name === "broken-app")).toMatchObject({ state: "Non-Compliant", generation: 1, observedGeneration: -1 });
    // Cluster 0 is not a target of "broken": nothing to reconcile there.
    expect(await verbs.reconcileNow(ids()[0]!, broken.id)).toEqual({ status: "not-found" });
  });

  it("suspend gives Suspended on that cluster only, and is not configuration drift; resume brings it back", async () => {
    const suspended = await verbs.suspend(fleetId, ids()[1]!);
    expect(suspended).toMatchObject({ status: "ok", clusters: [{ status: "ok", patched: ["GitRepository flux-system/fleet", "Kustomization flux-system/fleet-infra", "Kustomization flux-system/fleet-apps"] }] });
    const row = await sweepUntil(ids()[1]!, fleetId, (r) => r.state === "Suspended");
    expect(row.hasConfigDrift).toBe(false);
    expect(rowOf(ids()[0]!, fleetId)?.state).toBe("Compliant");
    await verbs.resume(fleetId, ids()[1]!);
    const resumed = await sweepUntil(ids()[1]!, fleetId, (r) => r.state === "Compliant");
    expect(resumed.hasConfigDrift).toBe(false);
  });
});

describe("revisions and reconcile now", () => {
  it("a new commit shows behind by 1; reconcile now (with source) is handled and lands the new sha", async () => {
    const next = await fleet.harness.git!.commit(sample().repo.name, { "apps/podinfo/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n" }, "Add extra");
    const behind = await sweepUntil(ids()[0]!, fleetId, (r) => r.behindBy === 1);
    expect(behind).toMatchObject({ state: "Compliant", hasRevisionDrift: true, appliedRevision: `main@sha1:${sample().commits.bump}` });
    const result = await verbs.reconcileNow(ids()[0]!, fleetId, { withSource: true });
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    expect(result.patched).toEqual(["GitRepository flux-system/fleet", "Kustomization flux-system/fleet-infra", "Kustomization flux-system/fleet-apps"]);
    expect(rowOf(ids()[0]!, fleetId)?.reconcileRequestedAt).toBe(result.token);
    // fleet-apps waits (DependencyNotReady, Pending) until fleet-infra applied the new commit and its
    // fixed requeue interval comes round: it is not woken by fleet-infra, so the token is handled first.
    const row = await sweepUntil(ids()[0]!, fleetId, (r) => r.lastHandledReconcileAt === result.token && r.appliedRevision === `main@sha1:${next}` && r.state !== "Pending", 60_000);
    expect(row).toMatchObject({ state: "Compliant", behindBy: 0, hasRevisionDrift: false, sourceRevision: `main@sha1:${next}` });
    // Cluster 1 was not asked: it still runs the old commit, one behind.
    expect(rowOf(ids()[1]!, fleetId)).toMatchObject({ behindBy: 1, hasRevisionDrift: true });
  });

  it("behind-by counts that have not moved are not written again", async () => {
    const { applyBehindBy, refreshSourceHeads } = await import("./revision");
    const { loadTargets } = await import("./expected");
    const spec = loadTargets(ids()).get(ids()[0]!)?.find((t) => t.configurationId === fleetId)?.spec;
    if (!spec) throw new Error("no spec for the configuration");
    const heads = await refreshSourceHeads(new Map([[fleetId, spec]]), 0);
    // Rows written since: SQLite counts changes on the connection; PostgreSQL gives every new row version a new xmin.
    const changes = () =>
      onPostgres()
        ? (fleet.temp.db.$client.prepare("select string_agg(xmin::text, ',' order by cluster_id) as n from configuration_status").get() as { n: string }).n
        : (fleet.temp.db.$client.prepare("select total_changes() as n").get() as { n: number }).n;
    await applyBehindBy(heads, ids());
    const before = changes();
    // Cluster 1 stays one behind, cluster 0 up to date: a pass at rest writes no row.
    await applyBehindBy(heads, ids());
    expect(changes()).toBe(before);
    expect(rowOf(ids()[1]!, fleetId)).toMatchObject({ behindBy: 1, hasRevisionDrift: true });
  });

  it("the commit history marks each cluster's applied commit and lists the changed files", async () => {
    const { commitHistory, changedSinceApplied } = await import("./commits");
    const history = await commitHistory(fleetId);
    if (history.status !== "ok") throw new Error(JSON.stringify(history));
    expect(history.commits.map((c) => c.subject)).toEqual(["Add extra", "podinfo: bump message", "Add podinfo", "Add infrastructure"]);
    expect(history.commits[0]?.appliedOn.map((c) => c.clusterId)).toContain(ids()[0]);
    expect(history.commits[1]?.appliedOn.map((c) => c.clusterId)).toContain(ids()[1]);
    const changed = await changedSinceApplied(ids()[1]!, fleetId);
    expect(changed).toMatchObject({ status: "ok", files: [{ status: "A", path: "apps/podinfo/extra.yaml" }] });
  });
});

describe("faults", () => {
  it("Git errors (a bad ref, an auth failure) are shown, and the collector keeps going", async () => {
    const badRef = fleet.save(spec("badref", { source: { kind: "GitRepository", url: sample().repo.url, ref: { type: "branch", value: "does-not-exist" } }, kustomizations: [{ name: "app", path: "./apps/podinfo" }], targets: { clusterIds: [ids()[1]!] } }));
    const credentialId = await fleet.createHttpsCredential("wrong", "fleet-bot", WRONG_PASSWORD);
    await fleet.harness.git!.createRepo("locked", { files: { "README.md": "x\n" }, auth: { username: "fleet-bot", password: "the-real-one-0a7" } });
    const locked = fleet.save(spec("locked", { source: { kind: "GitRepository", url: fleet.harness.git!.url("locked"), ref: { type: "branch", value: "main" }, credentialId }, kustomizations: [{ name: "app", path: "./" }], targets: { clusterIds: [ids()[1]!] } }));
    await fleet.push(badRef.id, badRef.version);
    await fleet.push(locked.id, locked.version);
    const bad = await sweepUntil(ids()[1]!, badRef.id, (r) => r.state === "Non-Compliant");
    expect(bad).toMatchObject({ reason: "GitRepository/badref: GitOperationFailed", hasRevisionDrift: true });
    expect(bad.revisionMessage).toMatch(/couldn't find remote ref/);
    const auth = await sweepUntil(ids()[1]!, locked.id, (r) => r.state === "Non-Compliant");
    expect(auth.hasRevisionDrift).toBe(true);
    const sources = fleet.temp.db.select().from(db.sourceStatus).all();
    expect(sources.find((s) => s.configurationId === badRef.id)).toMatchObject({ errorKind: "bad-ref", headSha: null });
    expect(sources.find((s) => s.configurationId === locked.id)).toMatchObject({ errorKind: "auth", error: "authentication failed: check the source's credential" });
    // Meanwhile the healthy configuration kept being observed.
    expect(rowOf(ids()[0]!, fleetId)?.state).toBe("Compliant");
    const bytes = [fleet.temp.file, `${fleet.temp.file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString("latin1")).join("");
    expect(bytes).not.toContain(WRONG_PASSWORD);
  });

  it("a stopped cluster turns Unknown, keeping its last-seen time, while the others stay current", async () => {
    const before = rowOf(ids()[2]!, fleetId)!;
    expect(before.state).toBe("Compliant");
    await fleet.harness.clusters[2]!.stop();
    const started = Date.now();
    const result = await collector.runStatusSweep();
    expect(Date.now() - started).toBeLessThan(8000);
    expect(result.clusters.find((c) => c.clusterId === ids()[2])).toMatchObject({ status: "unreachable" });
    const dead = rowOf(ids()[2]!, fleetId)!;
    // A new connection is refused; a kept-alive one from the last pass is reset instead ("network"): both say the server is gone.
    expect(dead).toMatchObject({ state: "Unknown", lastSeenAt: before.lastSeenAt, appliedRevision: before.appliedRevision });
    expect(dead.reason).toMatch(/^ClusterUnreachable: (refused|network)$/);
    expect(dead.message).toMatch(/refused|reset|socket|network/i);
    const alive = rowOf(ids()[0]!, fleetId)!;
    expect(alive.state).toBe("Compliant");
    expect(alive.observedAt.getTime()).toBeGreaterThanOrEqual(started);
    // Once the health sweep is backing off from it, the collector stops contacting it and says so.
    const { clusterHealth } = await import("@/db/schema");
    const backoff = { state: "unreachable" as const, reasonKind: "refused", reason: "connection refused", consecutiveFailures: 3, nextCheckAt: new Date(Date.now() + 600_000) };
    fleet.temp.db.insert(clusterHealth).values({ clusterId: ids()[2]!, ...backoff }).onConflictDoUpdate({ target: clusterHealth.clusterId, set: backoff }).run();
    const skipped = await collector.runStatusSweep({ clusterIds: [ids()[2]!] });
    expect(skipped.clusters[0]).toMatchObject({ status: "unreachable", reason: "connection refused (checked again at the next health check)" });
    const { fleetTotals, clustersNeedingAttention } = await import("@/lib/queries/dashboard");
    expect(fleetTotals().byState.Unknown).toBeGreaterThanOrEqual(1);
    expect(clustersNeedingAttention().rows.map((r) => r.clusterId)).toEqual(expect.arrayContaining([ids()[2], ids()[1]]));
  });
});
