// `npm run bench:status`: (1) the dashboard and configuration-detail queries over 1,000
// clusters x 10 configurations of seeded status (BENCH_CLUSTERS=10000 for the 10k figures), p50/p95 over 50 runs each; (2) the same pages
// rendered by `next start` over HTTP; (3) a status collector sweep over 200 registrations of a
// few real API servers running the Flux stand-in.
// Run with --conditions=react-server so server-only modules load.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { percentile, sampleSync } from "./bench-proc";

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const CONFIGURATIONS = Number(process.env.BENCH_CONFIGURATIONS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const REGISTRATIONS = Number(process.env.BENCH_REGISTRATIONS ?? 200);
const SERVERS = Number(process.env.BENCH_SERVERS ?? 4);
const SWEEPS = Number(process.env.BENCH_SWEEPS ?? 3);
// "1k", "10k": the suffix of the page figures at this scale.
const SCALE = CLUSTERS % 1000 === 0 ? `${CLUSTERS / 1000}k` : String(CLUSTERS);

/** p50/p95 of `fn` over RUNS runs after a few warm-up runs, in ms. */
function time(label: string, fn: () => unknown): { p50: number; p95: number } {
  const samples = sampleSync(RUNS, fn, 5);
  const result = { p50: percentile(samples, 50), p95: percentile(samples, 95) };
  console.log(`  ${label.padEnd(44)} p50 ${result.p50.toFixed(2).padStart(7)} ms   p95 ${result.p95.toFixed(2).padStart(7)} ms`);
  return result;
}

async function benchQueries(): Promise<{ configurationIds: string[] }> {
  const { getDb } = await import("../db");
  const { seedStatus } = await import("../test-support/status-seed");
  const queries = await import("../lib/queries/dashboard");
  const detail = await import("../lib/queries/configuration-status");
  const t0 = performance.now();
  const seeded = seedStatus(getDb().$client, { clusters: CLUSTERS, configurations: CONFIGURATIONS, historyPerPair: 4, rollouts: 100 });
  const pairs = CLUSTERS * CONFIGURATIONS;
  console.log(`seeded ${CLUSTERS} clusters x ${CONFIGURATIONS} configurations (${pairs} status rows, ${pairs * 3} object rows, ${pairs * 4} history rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log("dashboard queries:");
  time("fleetTotals", () => queries.fleetTotals());
  time("fleetTotals (drift=any)", () => queries.fleetTotals({ drift: "any" }));
  time("clustersNeedingAttention", () => queries.clustersNeedingAttention());
  time("mostNonCompliantConfigurations", () => queries.mostNonCompliantConfigurations());
  time("recentTimeline", () => queries.recentTimeline());
  time("lastRefreshAt", () => queries.lastRefreshAt());
  time("dashboardSummary (everything the page reads)", () => queries.dashboardSummary());
  console.log("configuration detail queries:");
  const configurationId = nth(seeded.configurationIds, 3);
  const clusterId = nth(seeded.clusterIds, 500);
  time("configurationStatusRows (first 100)", () => detail.configurationStatusRows(configurationId, { limit: 100 }));
  time("configurationStatusRows (drift=any)", () => detail.configurationStatusRows(configurationId, { drift: "any" }));
  time("configurationStatusRows (search)", () => detail.configurationStatusRows(configurationId, { search: "cluster-004" }));
  time("objectStatuses", () => detail.objectStatuses(clusterId, configurationId));
  time("statusHistory", () => detail.statusHistory(configurationId, { clusterId }));
  time("detail page (rows + objects + history)", () => {
    detail.configurationStatusRows(configurationId, { limit: 100 });
    detail.objectStatuses(clusterId, configurationId);
    detail.statusHistory(configurationId, { clusterId });
  });
  return seeded;
}

/** The i-th id, or the last one of a smaller seeded fleet (BENCH_CLUSTERS=50 still measures something real). */
const nth = (ids: readonly string[], i: number): string => ids[Math.min(i, ids.length - 1)]!;

/** Full page renders over HTTP against `next start` on the seeded database. */
type PageFigures = { dashboardP95: number; apiDashboardP95: number; configPageP95: number; configPageKb: number };

async function benchPages(seeded: { configurationIds: string[] }, env: Record<string, string>): Promise<PageFigures> {
  const { createFirstAdmin } = await import("../lib/auth/users");
  const { startPortal, signIn, timePage } = await import("./bench-http");
  await createFirstAdmin({ email: "bench@example.com", name: "Bench", password: "bench-password-1" });
  const portal = await startPortal(env);
  try {
    const cookie = await signIn(portal.baseUrl, "bench@example.com", "bench-password-1");
    const configurationId = nth(seeded.configurationIds, 3);
    console.log("page renders over HTTP (next start, 50 requests each):");
    const dashboard = await timePage("GET / (fleet dashboard)", `${portal.baseUrl}/`, cookie);
    const api = await timePage("GET /api/dashboard (live polling)", `${portal.baseUrl}/api/dashboard`, cookie);
    const page = await timePage(`GET /configurations/<id> (${CLUSTERS.toLocaleString("en")} targets)`, `${portal.baseUrl}/configurations/${configurationId}`, cookie);
    await timePage("GET /configurations/<id>?q=… (search)", `${portal.baseUrl}/configurations/${configurationId}?q=cluster-004`, cookie);
    await timePage("GET /configurations/<id>?page=3&state=…", `${portal.baseUrl}/configurations/${configurationId}?state=Compliant&page=3`, cookie);
    await timePage("GET /configurations (list)", `${portal.baseUrl}/configurations`, cookie);
    return { dashboardP95: dashboard.p95, apiDashboardP95: api.p95, configPageP95: page.p95, configPageKb: page.bytes / 1024 };
  } finally {
    portal.stop();
  }
}

async function benchSweep(): Promise<number> {
  const { startHarness } = await import("../test-support/harness");
  const { insertCluster } = await import("../lib/inventory/registry");
  const store = await import("../lib/configurations/store");
  const { startRollout } = await import("../lib/push/rollouts");
  const { runRollout } = await import("../lib/push/run");
  const { runStatusSweep } = await import("@/lib/observe/loop");
  const started = performance.now();
  const harness = await startHarness({ clusters: SERVERS, name: "bench", resyncMs: 0 });
  console.log(`started ${SERVERS} API servers with the Flux stand-in in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  try {
    const ids = Array.from({ length: REGISTRATIONS }, (_, i) => {
      const s = harness.clusters[i % SERVERS]!;
      const credentials = { server: s.server, token: s.adminToken, caData: s.caData };
      return insertCluster({ name: `sweep-${String(i).padStart(3, "0")}`, displayName: `sweep ${i}`, labels: { bench: "sweep" }, authMethod: "token", credentials, createdBy: "bench" }, null).id;
    });
    const saved = store.createConfiguration(
      {
        name: "bench",
        scope: "cluster",
        source: { kind: "GitRepository", url: harness.sample!.repo.url, ref: { type: "branch", value: "main" } },
        kustomizations: [
          { name: "infra", path: "./infrastructure", prune: true },
          { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true },
        ],
        targets: { selector: { matchLabels: { bench: "sweep" } } },
      },
      { author: "bench" },
    );
    if (saved.status !== "ok") throw new Error(JSON.stringify(saved));
    const rollout = startRollout(saved.configuration.id, saved.version, { actor: { id: null, email: "bench", role: null } });
    if (rollout.status !== "ok") throw new Error(JSON.stringify(rollout));
    const progress = await runRollout(rollout.rolloutId);
    console.log(`pushed to ${progress?.counts.applied ?? 0} of ${REGISTRATIONS} registrations`);
    await Promise.all(harness.flux.map((flux) => flux.waitForReady("Kustomization", "flux-system", "bench-apps", 60_000)));
    const walls: number[] = [];
    for (let sweep = 1; sweep <= SWEEPS + 1; sweep++) {
      const t0 = performance.now();
      const result = await runStatusSweep({ clusterIds: ids, gitMaxAgeMs: 0 });
      const wall = (performance.now() - t0) / 1000;
      const ok = result.clusters.filter((c) => c.status === "ok").length;
      // The first sweep also clones the Git cache and discovers each server's API: reported, not ranked.
      console.log(`sweep ${sweep}${sweep === 1 ? " (cold)" : ""}: ${wall.toFixed(2)} s, ${ok}/${result.clusters.length} clusters ok`);
      if (sweep > 1) walls.push(wall);
    }
    walls.sort((a, b) => a - b);
    return percentile(walls, 50);
  } finally {
    await harness.stop();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bench-status-"));
  Object.assign(process.env, {
    DATABASE_URL: path.join(dir, "bench.db"),
    FLEETLINE_DATA_DIR: dir,
    FLEETLINE_SECRET_KEY: "22".repeat(32),
    FLEETLINE_BACKGROUND: "off",
    FLEETLINE_ALLOW_LOCAL_SOURCES: "true",
  });
  const { getDb } = await import("../db");
  const { migrateDatabase } = await import("../db/client");
  migrateDatabase(getDb());
  try {
    const seeded = await benchQueries();
    const pages = await benchPages(seeded, { DATABASE_URL: process.env.DATABASE_URL!, FLEETLINE_DATA_DIR: dir, FLEETLINE_SECRET_KEY: "22".repeat(32) });
    // BENCH_REGISTRATIONS=0 skips the sweep against real API servers (the page figures only).
    const sweepSeconds = REGISTRATIONS > 0 ? await benchSweep() : null;
    console.log(`dashboard_p95_ms: ${pages.dashboardP95.toFixed(1)}`);
    console.log(`dashboard_${SCALE}_p95_ms: ${pages.dashboardP95.toFixed(1)}`);
    console.log(`api_dashboard_${SCALE}_p95_ms: ${pages.apiDashboardP95.toFixed(1)}`);
    console.log(`config_page_${SCALE}_p95_ms: ${pages.configPageP95.toFixed(1)}`);
    console.log(`config_page_${SCALE}_kb: ${pages.configPageKb.toFixed(0)}`);
    if (sweepSeconds !== null) console.log(`sweep_${REGISTRATIONS}_clusters_s: ${sweepSeconds.toFixed(2)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
