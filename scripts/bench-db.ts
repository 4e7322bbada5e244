// `npm run bench:db`: the same dashboard queries on SQLite and on PostgreSQL (a throwaway local
// PostgreSQL 15, as the tests start one), over BENCH_CLUSTERS (default 1,000) clusters x
// BENCH_CONFIGURATIONS (5) configurations of seeded status; plus what one statement costs through
// each connection. Each database runs in its own child process (one connection per process, as
// the server has). Prints `name: value` lines. Run with --conditions=react-server.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { percentile, sampleSync } from "./bench-proc";

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const CONFIGURATIONS = Number(process.env.BENCH_CONFIGURATIONS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function timeRuns(runs: number, fn: () => unknown): { p50: number; p95: number } {
  const samples = sampleSync(runs, fn, Math.min(5, runs));
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

async function child(name: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bench-db-"));
  Object.assign(process.env, { FLEETLINE_DATA_DIR: dir, FLEETLINE_SECRET_KEY: "22".repeat(32), FLEETLINE_BACKGROUND: "off" });
  process.env.DATABASE_URL ??= path.join(dir, "bench.db");
  const { getDb } = await import("../db");
  const { migrateDatabase } = await import("../db/client");
  const { seedStatus } = await import("../test-support/status-seed");
  const queries = await import("../lib/queries/dashboard");
  const { auditLog, clusters } = await import("../db/schema");
  const { eq } = await import("drizzle-orm");
  const db = getDb();
  migrateDatabase(db);
  const t0 = performance.now();
  const seeded = seedStatus(db.$client, { clusters: CLUSTERS, configurations: CONFIGURATIONS, historyPerPair: 2, rollouts: 20 });
  const rows = CLUSTERS * CONFIGURATIONS * 7 + CLUSTERS * 2;
  console.log(`seed_rows_per_s_${name}: ${Math.round(rows / ((performance.now() - t0) / 1000))}`);
  const id = seeded.clusterIds[Math.floor(CLUSTERS / 2)]!;
  const point = timeRuns(2000, () => db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, id)).get());
  console.log(`point_select_p50_us_${name}: ${Math.round(point.p50 * 1000)}`);
  const write = timeRuns(RUNS, () =>
    db.transaction((tx) => {
      for (let i = 0; i < 100; i++) tx.insert(auditLog).values({ at: new Date(), actorEmail: "bench@example.com", action: "bench.write", targetType: "bench", outcome: "success" }).run();
    }),
  );
  console.log(`write_tx_100_rows_p50_ms_${name}: ${write.p50.toFixed(2)}`);
  const attention = timeRuns(RUNS, () => queries.clustersNeedingAttention());
  console.log(`attention_p95_ms_${name}: ${attention.p95.toFixed(1)}`);
  const summary = timeRuns(RUNS, () => queries.dashboardSummary());
  console.log(`dashboard_summary_p95_ms_${name}: ${summary.p95.toFixed(1)}`);
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which) return child(which);
  const { createDatabase, startPgServer } = await import("../test-support/pg-server");
  const server = await startPgServer();
  try {
    console.log(`clusters: ${CLUSTERS}`);
    console.log(`configurations: ${CONFIGURATIONS}`);
    for (const [name, url] of [["sqlite", undefined], ["postgres", await createDatabase(server.adminUrl, "bench")]] as const) {
      const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, name], {
        env: { ...process.env, ...(url ? { DATABASE_URL: url } : {}) },
        stdio: ["ignore", "inherit", "inherit"],
      });
      if (run.status !== 0) throw new Error(`the ${name} run failed (exit ${run.status})`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
