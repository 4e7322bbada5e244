import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startArgoStandIn, type ArgoStandIn } from "@/test-support/argo-standin";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { FRONTEND_IMAGE, FRONTEND_INIT_IMAGE } from "@/test-support/git-fixtures";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// Versions read from real API servers (issue 15): the sample repository's frontend Deployment at
// two commits of one repository (podinfo 6.5.0 at the v1.0.0 tag, 6.6.0 at the head of main) on
// two clusters, Helm charts at two versions, a hand edit Git does not know, and hostile workloads.
let fleet: FleetFixture;
let argo: TestCluster;
let argoStandIn: ArgoStandIn;
let argoId = "";
let collector: typeof import("@/lib/observe/loop");
let schema: typeof import("@/db/schema-versions");
let queries: typeof import("./queries");
let filters: typeof import("./filters");
let read: typeof import("./read");
let persist: typeof import("./persist");
const configurationIds: string[] = [];

const spec = (name: string, ref: { type: "tag" | "branch"; value: string }, chartVersion: string, clusterId: string) => ({
  name,
  scope: "cluster",
  source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref, interval: "10m" },
  kustomizations: [
    { name: "infra", path: "./infrastructure", prune: true },
    { name: "apps", path: "./apps/frontend", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true },
  ],
  helmReleases: [{ name: "cache", chart: "charts/redis", version: chartVersion }],
  targets: { clusterIds: [clusterId] },
});

beforeAll(async () => {
  process.env.FLEETLINE_VERSIONS_INTERVAL_S = "1";
  fleet = await startFleetFixture({ clusters: 2, name: "versions", resyncMs: 0, labels: (i) => ({ env: i === 0 ? "staging" : "prod", fleet: "versions" }) });
  [collector, schema, queries, filters, read, persist] = await Promise.all([
    import("@/lib/observe/loop"),
    import("@/db/schema-versions"),
    import("./queries"),
    import("./filters"),
    import("./read"),
    import("./persist"),
  ]);
  // An Argo CD cluster beside the two Flux ones: its Applications report summary.images.
  argo = await startCluster({ name: "versions-argo", flux: false, argo: true });
  argoStandIn = await startArgoStandIn(argo, { resyncMs: 60_000 });
  const { checkConnection, insertCluster } = await import("@/lib/inventory/registry");
  const credentials = { server: argo.server, token: argo.adminToken, caData: argo.caData };
  argoId = insertCluster({ name: argo.name, displayName: argo.name, labels: { env: "dev", fleet: "argo" }, authMethod: "token", credentials, createdBy: "test" }, await checkConnection(credentials)).id;
  const ids = fleet.clusterIds;
  for (const [i, s] of [spec("web-pinned", { type: "tag", value: "v1.0.0" }, "18.0.0", ids[0]!), spec("web-main", { type: "branch", value: "main" }, "18.1.0", ids[1]!)].entries()) {
    const saved = fleet.save(s);
    configurationIds.push(saved.id);
    const progress = await fleet.push(saved.id, saved.version);
    expect(progress.counts.applied, `push ${i}`).toBe(1);
  }
}, 180_000);

afterAll(async () => {
  await argoStandIn?.stop();
  await argo?.stop();
  await fleet?.stop();
});

const images = (clusterIndex: number) => fleet.temp.db.select().from(schema.workloadImages).all().filter((r) => r.clusterId === fleet.clusterIds[clusterIndex]);
const charts = (clusterIndex: number) => fleet.temp.db.select().from(schema.chartVersions).all().filter((r) => r.clusterId === fleet.clusterIds[clusterIndex]);
const readOf = (clusterIndex: number) => fleet.temp.db.select().from(schema.versionReads).all().find((r) => r.clusterId === fleet.clusterIds[clusterIndex]);

/** Sweeps (the versions interval forced to have passed) until the check holds. */
async function sweepUntil(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await collector.runStatusSweep({ timeoutMs: 20_000 });
    if (check()) return;
    if (Date.now() > deadline) {
      const images = fleet.temp.db.select().from(schema.workloadImages).all().map((r) => [r.clusterId, r.image]);
      const reads = fleet.temp.db.select().from(schema.versionReads).all().map((r) => [r.clusterId, r.error, r.okAt]);
      throw new Error(`timed out; images: ${JSON.stringify(images)}; reads: ${JSON.stringify(reads)}`);
    }
  }
}

const podinfoOf = (clusterIndex: number) => images(clusterIndex).find((r) => r.container === "podinfod");

describe("versions across the fleet", () => {
  it("reads each cluster's Deployment images from the Kustomization inventory, with what Git says, and the deployed chart", async () => {
    await sweepUntil(() => podinfoOf(0)?.tag === "6.5.0" && podinfoOf(1)?.tag === "6.6.0" && charts(0).length === 1 && charts(1).length === 1);
    expect(podinfoOf(0)).toMatchObject({
      configurationId: configurationIds[0],
      workloadKind: "Deployment",
      workloadNamespace: "podinfo",
      workloadName: "frontend",
      isInit: false,
      image: FRONTEND_IMAGE.podinfo,
      registry: "ghcr.io",
      repository: "stefanprodan/podinfo",
      tag: "6.5.0",
      digest: null,
      gitImage: FRONTEND_IMAGE.podinfo,
    });
    expect(images(1).find((r) => r.isInit)).toMatchObject({ container: "wait", image: FRONTEND_INIT_IMAGE, registry: "docker.io", repository: "library/busybox", tag: "1.36", gitImage: FRONTEND_INIT_IMAGE });
    expect(charts(0)[0]).toMatchObject({ chartName: "redis", chartVersion: "18.0.0", appVersion: "18.0.0", releaseName: "web-pinned-cache" });
    expect(charts(1)[0]).toMatchObject({ chartVersion: "18.1.0" });
    expect(readOf(0)).toMatchObject({ error: null, truncated: false });
  }, 120_000);

  it("marks the older tag behind the newest in the fleet, counts it, and filters by label and by behind", () => {
    const all = queries.versionsView(filters.parseVersionsFilter({}));
    const podinfo = all.summary.find((s) => s.name === "ghcr.io/stefanprodan/podinfo");
    expect(podinfo).toMatchObject({ shortName: "podinfo", newest: "6.6.0", clustersBehind: 1, clustersRunning: 2, clustersNotInGit: 0 });
    const row = all.rows.find((r) => r.configurationId === configurationIds[0] && r.name === "ghcr.io/stefanprodan/podinfo");
    expect(row?.cells[fleet.clusterIds[0]!]?.[0]).toMatchObject({ label: "6.5.0", isBehind: true, isNotInGit: false });
    const newer = all.rows.find((r) => r.configurationId === configurationIds[1] && r.name === "ghcr.io/stefanprodan/podinfo");
    expect(newer?.cells[fleet.clusterIds[1]!]?.[0]).toMatchObject({ label: "6.6.0", isBehind: false });
    // busybox runs at one tag everywhere: nobody is behind.
    expect(all.summary.find((s) => s.name === "docker.io/library/busybox")).toMatchObject({ clustersBehind: 0, clustersRunning: 2 });

    const behind = queries.versionsView(filters.parseVersionsFilter({ only: "behind" }));
    expect(behind.columns.map((c) => c.id)).toEqual([fleet.clusterIds[0]]);
    expect(behind.rows.map((r) => r.name)).toEqual(["ghcr.io/stefanprodan/podinfo"]);

    // Behind is judged against the whole fleet, not only the clusters the filter shows.
    const staging = queries.versionsView(filters.parseVersionsFilter({ labels: "env=staging", group: "env" }));
    expect(staging.clustersInScope).toBe(1);
    expect(staging.columns).toEqual([{ id: fleet.clusterIds[0], name: fleet.harness.clusters[0]!.name, group: "staging" }]);
    expect(staging.summary.find((s) => s.shortName === "podinfo")?.clustersBehind).toBe(1);
    expect(queries.versionsView(filters.parseVersionsFilter({ labels: "env=prod" })).summary.find((s) => s.shortName === "podinfo")?.clustersBehind).toBe(0);

    const chartsView = queries.versionsView(filters.parseVersionsFilter({ kind: "charts" }));
    expect(chartsView.summary[0]).toMatchObject({ newest: "18.1.0", clustersBehind: 1, clustersRunning: 2 });

    const lines = queries.versionsExportLines(filters.parseVersionsFilter({ only: "behind" }));
    expect(lines.map((l) => [l.clusterId, l.label, l.newest, l.workload])).toEqual([[fleet.clusterIds[0], "6.5.0", "6.6.0", "Deployment podinfo/frontend (podinfod)"]]);
  });

  it("flags an image that is not what Git says at the applied revision", async () => {
    const rest = fleet.harness.clusters[1]!.rest();
    // Flux would put it back; suspended, it stays as edited by hand. A reconcile already running
    // when the suspension lands still applies (as kustomize-controller's does): the hand edit comes
    // once the controller has handled the suspension (observedGeneration caught up; a CI run saw
    // the edit undone).
    const kustomization = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "web-main-apps" };
    await rest.mergePatch(kustomization, { spec: { suspend: true } });
    await expect
      .poll(async () => {
        const live = await rest.get(kustomization.apiVersion, kustomization.kind, kustomization.namespace, kustomization.name);
        return live && (live.status as { observedGeneration?: number } | undefined)?.observedGeneration === live.metadata.generation;
      }, { timeout: 30_000 })
      .toBe(true);
    await rest.mergePatch({ apiVersion: "apps/v1", kind: "Deployment", namespace: "podinfo", name: "frontend" }, { spec: { template: { spec: { containers: [{ name: "podinfod", image: "ghcr.io/stefanprodan/podinfo:6.7.0-rc.1" }] } } } });
    await sweepUntil(() => podinfoOf(1)?.tag === "6.7.0-rc.1");
    expect(podinfoOf(1)).toMatchObject({ gitImage: FRONTEND_IMAGE.bump, image: "ghcr.io/stefanprodan/podinfo:6.7.0-rc.1" });
    const view = queries.versionsView(filters.parseVersionsFilter({ only: "not-in-git" }));
    expect(view.columns.map((c) => c.id)).toEqual([fleet.clusterIds[1]]);
    expect(view.rows[0]?.cells[fleet.clusterIds[1]!]?.[0]).toMatchObject({ isNotInGit: true, gitImage: FRONTEND_IMAGE.bump });
    // 6.7.0-rc.1 is newer than 6.6.0 by semver: 6.5.0 is still the one behind.
    expect(queries.versionsView(filters.parseVersionsFilter({})).summary.find((s) => s.shortName === "podinfo")).toMatchObject({ newest: "6.7.0-rc.1", clustersBehind: 1, clustersNotInGit: 1 });
    const own = queries.clusterVersions(fleet.clusterIds[1]!);
    expect(own.images.find((l) => l.label === "6.7.0-rc.1")).toMatchObject({ isNotInGit: true, isBehind: false });
    expect(own.charts[0]).toMatchObject({ label: "18.1.0", isBehind: false });
  }, 120_000);

  it("keeps the last rows and records the error when a read fails", async () => {
    const { clientFor } = await import("@/lib/inventory/client-cache");
    const { getDb } = await import("@/db");
    const { clusters } = await import("@/db/schema");
    const cluster = getDb().select().from(clusters).all().find((c) => c.id === fleet.clusterIds[0])!;
    const before = images(0).length;
    const listing = await fleet.harness.clusters[0]!.rest().list("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system");
    // A cluster that stops answering mid-read (its requests aborted): the read fails, nothing is replaced.
    const reading = await read.readVersions(clientFor(cluster, 5000).withSignal(AbortSignal.abort()), listing.items, [{ configurationId: configurationIds[0]!, name: "web-pinned" }]);
    expect(reading.ok).toBe(false);
    persist.persistVersions(cluster.id, reading, new Date());
    expect(images(0)).toHaveLength(before);
    expect(readOf(0)?.error).toBeTruthy();
    expect(readOf(0)?.okAt).toBeInstanceOf(Date);
  });

  it("does not call a workload 'not in Git' when its Kustomization applied a new revision during the read", async () => {
    const { clientFor } = await import("@/lib/inventory/client-cache");
    const { getDb } = await import("@/db");
    const { clusters } = await import("@/db/schema");
    const cluster = getDb().select().from(clusters).all().find((c) => c.id === fleet.clusterIds[0])!;
    const rest = fleet.harness.clusters[0]!.rest();
    const ref = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "web-pinned-apps" };
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", namespace: "podinfo", name: "frontend" };
    const { getConfiguration } = await import("@/lib/configurations/store");
    const targets = [{ configurationId: configurationIds[0]!, name: "web-pinned", spec: getConfiguration(configurationIds[0]!)!.spec }];
    // The objects as the observation loop listed them: applied at v1.0.0 (podinfo 6.5.0), settled.
    const listed = (await rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name))!;
    // Then, before the workloads are listed, the controller starts applying another revision, as
    // kustomize-controller does: Ready=Unknown and Reconciling=True written first, then the apply.
    const now = new Date().toISOString();
    const message = "Fetching manifests for revision main@sha1:0000000 with a timeout of 9m30s";
    const progressing = (type: string, status: string) => ({ type, status, reason: "Progressing", message, lastTransitionTime: now, observedGeneration: listed.metadata.generation });
    await rest.mergePatch(ref, { status: { conditions: [progressing("Ready", "Unknown"), progressing("Reconciling", "True")] } }, "status");
    await rest.mergePatch(deployment, { spec: { template: { spec: { containers: [{ name: "podinfod", image: FRONTEND_IMAGE.bump }] } } } });
    try {
      const reading = await read.readVersions(clientFor(cluster, 10_000), [listed], targets);
      expect(reading.ok).toBe(true);
      if (!reading.ok) return;
      // The workload already runs the new revision's image while the listed object still names the
      // old revision: nobody edited it by hand, so it is not flagged; the note says why.
      expect(reading.images.find((r) => r.container === "podinfod")).toMatchObject({ image: FRONTEND_IMAGE.bump, gitImage: null });
      expect(reading.gitNote).toContain("web-pinned-apps: applying a new revision during the read");
      // Read again from the object as it is now (still reconciling): not compared either.
      const live = (await rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name))!;
      const again = await read.readVersions(clientFor(cluster, 10_000), [live], targets);
      expect(again.ok && again.images.find((r) => r.container === "podinfod")?.gitImage).toBeNull();
      // The init container matches Git at the listed revision: compared as before.
      expect(reading.images.find((r) => r.container === "wait")).toMatchObject({ gitImage: FRONTEND_INIT_IMAGE });
    } finally {
      // The stand-in applies v1.0.0 again and writes a settled status.
      await rest.mergePatch(ref, { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": now } } });
      await expect
        .poll(async () => {
          const [k, d] = await Promise.all([rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name), rest.get(deployment.apiVersion, deployment.kind, deployment.namespace, deployment.name)]);
          const ready = (k?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find((c) => c.type === "Ready")?.status;
          return ready === "True" && JSON.stringify(d?.spec).includes(FRONTEND_IMAGE.podinfo);
        }, { timeout: 30_000 })
        .toBe(true);
    }
  });

  it("stores a Deployment with 500 containers and a 10 KiB image capped, without failing the read", async () => {
    const { clientFor } = await import("@/lib/inventory/client-cache");
    const { getDb } = await import("@/db");
    const { clusters } = await import("@/db/schema");
    const rest = fleet.harness.clusters[0]!.rest();
    const hostileImage = `registry.example.com/${"a".repeat(10 * 1024)}:1.0`;
    const containers = Array.from({ length: 500 }, (_, i) => ({ name: `c${i}`, image: i === 0 ? hostileImage : `ghcr.io/hostile/img${i}:${i}` }));
    await rest.apply(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "hostile", namespace: "podinfo" },
        spec: { selector: { matchLabels: { app: "hostile" } }, template: { metadata: { labels: { app: "hostile" } }, spec: { containers } } },
      },
      "test",
    );
    const cluster = getDb().select().from(clusters).all().find((c) => c.id === fleet.clusterIds[0])!;
    // The Kustomization as the cluster reports it, its inventory naming the hostile workload too.
    const kustomization = (await rest.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", "web-pinned-apps"))!;
    const status = kustomization.status as { inventory: { entries: { id: string; v: string }[] } };
    status.inventory.entries.push({ id: "podinfo_hostile_apps_Deployment", v: "v1" });
    const started = Date.now();
    const reading = await read.readVersions(clientFor(cluster, 10_000), [kustomization], [{ configurationId: configurationIds[0]!, name: "web-pinned" }]);
    expect(reading.ok).toBe(true);
    persist.persistVersions(cluster.id, reading, new Date());
    const hostile = images(0).filter((r) => r.workloadName === "hostile");
    expect(hostile).toHaveLength(50);
    expect(hostile[0]!.image.length).toBe(512);
    expect(hostile[0]!.repository.length).toBeLessThanOrEqual(255);
    expect(readOf(0)).toMatchObject({ error: null, truncated: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    // The page still renders its data.
    expect(queries.versionsView(filters.parseVersionsFilter({ image: "hostile" })).rows.length).toBeGreaterThan(0);

    // An inventory of 20,000 workloads: read up to the cap, within seconds, flagged as cut.
    const huge = structuredClone(kustomization);
    (huge.status as typeof status).inventory.entries = Array.from({ length: 20_000 }, (_, i) => ({ id: `podinfo_ghost-${i}_apps_Deployment`, v: "v1" }));
    const hugeStarted = Date.now();
    const hugeReading = await read.readVersions(clientFor(cluster, 10_000), [huge], [{ configurationId: configurationIds[0]!, name: "web-pinned" }]);
    expect(hugeReading).toMatchObject({ ok: true, truncated: true, images: [] });
    expect(Date.now() - hugeStarted).toBeLessThan(10_000);
  });

  it("reads an Argo CD Application's summary.images", async () => {
    const saved = fleet.save({
      name: "web-argo",
      scope: "cluster",
      source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "tag", value: "v1.0.0" }, interval: "10m" },
      kustomizations: [{ name: "apps", path: "./apps/frontend", targetNamespace: "default" }],
      targets: { clusterIds: [argoId] },
    });
    expect((await fleet.push(saved.id, saved.version)).counts.applied).toBe(1);
    const argoImages = () => fleet.temp.db.select().from(schema.workloadImages).all().filter((r) => r.clusterId === argoId);
    await sweepUntil(() => argoImages().length === 2);
    expect(argoImages().map((r) => [r.workloadKind, r.workloadName, r.container, r.image, r.tag, r.gitImage]).sort()).toEqual([
      ["Application", "web-argo-apps", "", FRONTEND_INIT_IMAGE, "1.36", null],
      ["Application", "web-argo-apps", "", FRONTEND_IMAGE.podinfo, "6.5.0", null],
    ]);
    expect(argoImages()[0]?.configurationId).toBe(saved.id);
    // Judged against the Flux clusters: 6.5.0 is behind the newest podinfo in the fleet.
    expect(queries.clusterVersions(argoId).images.find((l) => l.label === "6.5.0")).toMatchObject({ isBehind: true, workload: "Application argocd/web-argo-apps" });
  }, 120_000);
});
