// `npm run bench:compliance`: 1,000 clusters x 10 configurations (BENCH_CLUSTERS=10000 for the 10k figures) with 30 days of status history
// in a throwaway SQLite file; server time for the compliance page's data, the export and the trend.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { benchPolicyView } from "./bench-policy-view";
import { percentile, sampleSync } from "./bench-proc";

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const CONFIGURATIONS = Number(process.env.BENCH_CONFIGURATIONS ?? 10);
const PAGE_RUNS = Number(process.env.BENCH_PAGE_RUNS ?? 40);
const EXPORT_RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? 5);
const RECOMPUTE_RUNS = Number(process.env.BENCH_RECOMPUTE_RUNS ?? 10);
const SCALE = CLUSTERS % 1000 === 0 ? `${CLUSTERS / 1000}k` : String(CLUSTERS);
const DAYS = 30;
const DAY_MS = 86_400_000;
const ENVS = ["prod", "staging", "dev"] as const;
const REGIONS = ["eu-west", "eu-north", "us-east", "ap-south"] as const;

// Deterministic, so two runs seed the same fleet.
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}

/** Mostly Compliant, as a healthy fleet is, with every other state present. */
function randomState(): string {
  const r = random();
  return r < 0.82 ? "Compliant" : r < 0.9 ? "Non-Compliant" : r < 0.95 ? "Pending" : r < 0.98 ? "Unknown" : "Suspended";
}

const IMAGES_PER_CLUSTER = Number(process.env.BENCH_IMAGES ?? 50);
const VERSIONS_RUNS = Number(process.env.BENCH_VERSIONS_RUNS ?? 20);

/**
 * The Versions page at fleet scale: every cluster runs IMAGES_PER_CLUSTER images (spread over the
 * configurations), mostly at the newest tag, some a minor or patch behind, some on a non-semver
 * tag or a digest, a few edited by hand (not what Git says). Returns the page query's times.
 */
async function benchVersions(sqlite: import("better-sqlite3").Database, configurationIds: readonly string[], clusterIds: readonly string[]): Promise<number[]> {
  const { versionsView } = await import("../lib/versions/queries");
  const { parseVersionsFilter } = await import("../lib/versions/filters");
  const now = Date.now();
  const insertImage = sqlite.prepare(
    "insert into workload_images (cluster_id, ordinal, configuration_id, workload_kind, workload_namespace, workload_name, container, is_init, image, registry, repository, tag, digest, git_image, observed_at) values (?, ?, ?, 'Deployment', ?, ?, 'app', 0, ?, 'ghcr.io', ?, ?, ?, ?, ?)",
  );
  const insertSeen = sqlite.prepare("insert or ignore into version_first_seen (kind, name, version, first_seen_at) values ('image', ?, ?, ?)");
  const t0 = performance.now();
  sqlite.transaction(() => {
    for (const clusterId of clusterIds) {
      for (let i = 0; i < IMAGES_PER_CLUSTER; i++) {
        const repository = `acme/service-${i}`;
        const r = random();
        const tag = r < 0.8 ? "1.4.2" : r < 0.9 ? "1.4.1" : r < 0.95 ? "1.3.9" : r < 0.98 ? `main-${Math.floor(random() * 5)}` : null;
        const digest = tag === null ? `sha256:${(i * 7919 + Math.floor(random() * 3)).toString(16).padStart(64, "0")}` : null;
        const image = `ghcr.io/${repository}${tag ? `:${tag}` : `@${digest}`}`;
        const gitImage = random() < 0.01 ? `ghcr.io/${repository}:1.4.2` : image;
        insertImage.run(clusterId, i, configurationIds[i % configurationIds.length], `ns-${i % 7}`, `svc-${i}`, image, repository, tag, digest, gitImage, now);
        insertSeen.run(`ghcr.io/${repository}`, tag ?? digest, now - Math.floor(random() * 30 * DAY_MS));
      }
    }
  })();
  sqlite.pragma("optimize");
  console.log(`seeded ${clusterIds.length * IMAGES_PER_CLUSTER} image rows (${clusterIds.length} clusters x ${IMAGES_PER_CLUSTER} images) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const plain = parseVersionsFilter({});
  versionsView(plain); // warm-up: statement preparation, page cache
  const times = sampleSync(VERSIONS_RUNS, () => versionsView(plain));
  report("versions page (every image, first cluster page, summary)", times);
  report("versions page grouped by region, env=prod, behind only", sampleSync(VERSIONS_RUNS, () => versionsView(parseVersionsFilter({ group: "region", labels: "env=prod", only: "behind" }))));
  return times;
}

const report = (label: string, sorted: number[]) => console.log(`${label}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bench-"));
  Object.assign(process.env, { DATABASE_URL: path.join(dir, "bench.db"), FLEETLINE_DATA_DIR: dir, FLEETLINE_SECRET_KEY: "22".repeat(32), FLEETLINE_BACKGROUND: "off" });
  const { getDb } = await import("../db");
  const { migrateDatabase } = await import("../db/client");
  const { createConfiguration } = await import("../lib/configurations/store");
  const { createAssignment, listAssignments } = await import("../lib/compliance/assignments");
  const { matrixFilterSchema } = await import("../lib/compliance/filters");
  // What the page reads: cached per compliance epoch (lib/queries/compliance.ts).
  const { loadMatrix, loadSummary } = await import("../lib/queries/compliance");
  const { loadTrend } = await import("../lib/compliance/trend");
  const { exportStream } = await import("../lib/compliance/export");
  const db = getDb();
  migrateDatabase(db);
  try {
    const t0 = performance.now();
    const sqlite = db.$client;
    const now = Date.now();
    const insertCluster = sqlite.prepare(
      "insert into clusters (id, name, display_name, labels, server, auth_method, credentials, credentials_fingerprint, credentials_rotated_at, updated_at, created_by) values (?, ?, ?, ?, 'https://10.0.0.1:6443', 'token', 'sealed', 'fp', ?, ?, 'bench')",
    );
    const clusterIds: string[] = [];
    sqlite.transaction(() => {
      for (let i = 0; i < CLUSTERS; i++) {
        const id = `c-${i}`;
        clusterIds.push(id);
        insertCluster.run(id, `cluster-${String(i).padStart(4, "0")}`, `cluster ${i}`, JSON.stringify({ env: ENVS[i % 3], region: REGIONS[i % 4], tier: i % 5 === 0 ? "db" : "web" }), now, now);
      }
    })();
    // Ten configurations, each targeting the whole fleet through a different selector.
    const configurationIds: string[] = [];
    for (let c = 0; c < CONFIGURATIONS; c++) {
      const selector = c % 2 === 0 ? { matchExpressions: [{ key: "env", operator: "Exists" as const }] } : { matchExpressions: [{ key: "env", operator: "In" as const, values: [...ENVS] }] };
      const created = createConfiguration(
        { name: `config-${c}`, scope: "cluster", source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } }, kustomizations: [{ name: "apps", path: `apps/${c}` }], targets: { selector } },
        { author: "bench" },
      );
      if (created.status !== "ok") throw new Error(JSON.stringify(created));
      configurationIds.push(created.configuration.id);
    }
    sqlite.prepare("update configurations set pushed_version = 1").run();
    for (const [i, env] of ENVS.entries()) createAssignment({ name: `audit-${env}`, configurationId: configurationIds[i]!, selector: `env=${env}, tier in (web,db)` }, "bench");

    const insertTarget = sqlite.prepare("insert into configuration_targets (configuration_id, cluster_id, reason, resolved_at) values (?, ?, 'selector', ?)");
    const insertStatus = sqlite.prepare(
      "insert into configuration_status (configuration_id, cluster_id, state, reason, applied_version, expected_version, has_config_drift, has_revision_drift, behind_by, state_changed_at, observed_at, last_seen_at) values (?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, ?)",
    );
    const insertHistory = sqlite.prepare("insert into configuration_status_history (configuration_id, cluster_id, at, state, previous_state, reason) values (?, ?, ?, ?, ?, ?)");
    let historyRows = 0;
    sqlite.transaction(() => {
      for (const configurationId of configurationIds) {
        for (const clusterId of clusterIds) {
          insertTarget.run(configurationId, clusterId, now);
          // One pair in a hundred was never collected: "not applied".
          if (random() < 0.01) continue;
          let at = now - DAYS * DAY_MS + Math.floor(random() * DAY_MS);
          let previous: string | null = null;
          let state: string = randomState();
          // A change every three days on average, the last one being the current state.
          for (;;) {
            insertHistory.run(configurationId, clusterId, at, state, previous, `Kustomization/apps: ${state}`);
            historyRows += 1;
            const next = at + Math.floor(random() * 6 * DAY_MS);
            if (next >= now) break;
            at = next;
            previous = state;
            state = randomState();
          }
          const drift = random() < 0.05;
          insertStatus.run(configurationId, clusterId, state, `Kustomization/apps: ${state}`, drift ? 1 : 0, drift ? 1 : 0, drift ? 2 : null, at, now, now);
        }
      }
    })();
    sqlite.pragma("optimize");
    console.log(`seeded ${CLUSTERS} clusters x ${CONFIGURATIONS} configurations, ${historyRows} history rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const filter = matrixFilterSchema.parse({});
    const page = () => {
      const all = listAssignments();
      return [loadSummary(all), loadMatrix(filter, all)];
    };
    page(); // warm-up: statement preparation, page cache
    const pageTimes = sampleSync(PAGE_RUNS, page);
    report("page (summary + first matrix page + non-compliant list)", pageTimes);
    // The same page right after a change it depends on (one pair's state flips): everything recomputed.
    const flip = sqlite.prepare("update configuration_status set state = case state when 'Compliant' then 'Pending' else 'Compliant' end where rowid = (select rowid from configuration_status limit 1 offset ?)");
    let flips = 0;
    const recomputeTimes = sampleSync(RECOMPUTE_RUNS, () => {
      flip.run(flips++ % 1000);
      return page();
    });
    report("page right after a status change (recomputed)", recomputeTimes);
    const grouped = matrixFilterSchema.parse({ group: "region", sort: "worst", state: "Non-Compliant", label: "env=prod" });
    report("matrix page grouped by region, Non-Compliant in env=prod, worst first", sampleSync(PAGE_RUNS, () => loadMatrix(grouped, listAssignments())));
    report("trend (fleet + every assignment, 30 days)", sampleSync(20, () => loadTrend(listAssignments())));

    const exportTimes: number[] = [];
    let rows = 0;
    for (let i = 0; i < EXPORT_RUNS; i++) {
      const started = performance.now();
      const text = await new Response(exportStream(filter, listAssignments(), "csv")).text();
      exportTimes.push(performance.now() - started);
      rows = text.split("\r\n").length - 2;
    }
    exportTimes.sort((a, b) => a - b);
    report(`CSV export of ${rows} rows`, exportTimes);
    const jsonStarted = performance.now();
    const json = JSON.parse(await new Response(exportStream(filter, listAssignments(), "json")).text()) as unknown[];
    console.log(`JSON export of ${json.length} rows: ${(performance.now() - jsonStarted).toFixed(1)} ms`);
    const versionsTimes = await benchVersions(sqlite, configurationIds, clusterIds);
    const policyTimes = await benchPolicyView(sqlite, clusterIds, random);
    report("policy view (counts by cluster and policy, a page of matrix cells, one cluster's detail)", policyTimes);
    console.log(`compliance_page_p95_ms: ${percentile(pageTimes, 95).toFixed(1)}`);
    console.log(`compliance_${SCALE}_p95_ms: ${percentile(pageTimes, 95).toFixed(1)}`);
    console.log(`compliance_${SCALE}_recompute_p95_ms: ${percentile(recomputeTimes, 95).toFixed(1)}`);
    console.log(`export_${rows}_rows_s: ${(percentile(exportTimes, 95) / 1000).toFixed(3)}`);
    console.log(`versions_page_p95_ms: ${percentile(versionsTimes, 95).toFixed(1)}`);
    console.log(`policy_view_p95_ms: ${percentile(policyTimes, 95).toFixed(1)}`);
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
