// `npm run bench:inventory`: 200 registrations spread over a few real API servers, 20 health
// sweeps, per-sweep wall time, per-cluster latency percentiles and heap growth.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { percentile } from "./bench-proc";

const REGISTRATIONS = Number(process.env.BENCH_CLUSTERS ?? 200);
const SERVERS = Number(process.env.BENCH_SERVERS ?? 4);
const SWEEPS = Number(process.env.BENCH_SWEEPS ?? 20);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bench-"));
  Object.assign(process.env, {
    DATABASE_URL: path.join(dir, "bench.db"),
    FLEETLINE_DATA_DIR: dir,
    FLEETLINE_SECRET_KEY: "22".repeat(32),
    FLEETLINE_BACKGROUND: "off",
  });
  const { startFleet } = await import("../test-support/cluster");
  const { getDb } = await import("../db");
  const { migrateDatabase } = await import("../db/client");
  const { insertCluster } = await import("../lib/inventory/registry");
  const { runHealthSweep } = await import("@/lib/observe/loop");
  migrateDatabase(getDb());

  const started = performance.now();
  const servers = await startFleet(SERVERS, { name: "bench" });
  console.log(`started ${SERVERS} API servers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  try {
    for (let i = 0; i < REGISTRATIONS; i++) {
      const s = servers[i % servers.length]!;
      insertCluster(
        {
          name: `bench-${String(i).padStart(3, "0")}`,
          displayName: `bench ${i}`,
          labels: { env: i % 2 ? "prod" : "dev" },
          authMethod: "token",
          credentials: { server: s.server, token: s.adminToken, caData: s.caData },
          createdBy: "bench",
        },
        null,
      );
    }
    const ids = getDb().query.clusters.findMany({ columns: { id: true } }).sync().map((c) => c.id);
    const walls: number[] = [];
    const latencies: number[] = [];
    const heaps: number[] = [];
    for (let sweep = 1; sweep <= SWEEPS; sweep++) {
      const t0 = performance.now();
      const outcomes = await runHealthSweep({ clusterIds: ids });
      const wall = (performance.now() - t0) / 1000;
      walls.push(wall);
      latencies.push(...outcomes.map((o) => o.durationMs));
      const unreachable = outcomes.filter((o) => o.state !== "reachable").length;
      global.gc?.();
      heaps.push(process.memoryUsage().heapUsed / 1024 / 1024);
      console.log(`sweep ${String(sweep).padStart(2)}: ${wall.toFixed(2)} s, ${outcomes.length} clusters, ${unreachable} unreachable, heap ${heaps.at(-1)!.toFixed(1)} MiB`);
    }
    const sortedLatency = [...latencies].sort((a, b) => a - b);
    const sortedWall = [...walls].sort((a, b) => a - b);
    console.log(`per-cluster check latency: p50 ${percentile(sortedLatency, 50)} ms, p95 ${percentile(sortedLatency, 95)} ms`);
    console.log(`sweep wall time: p50 ${percentile(sortedWall, 50).toFixed(2)} s, max ${sortedWall.at(-1)!.toFixed(2)} s`);
    console.log(`heap after sweep 1: ${heaps[0]!.toFixed(1)} MiB, after sweep ${SWEEPS}: ${heaps.at(-1)!.toFixed(1)} MiB`);
    console.log(`sweep_${REGISTRATIONS}_clusters_s: ${percentile(sortedWall, 50).toFixed(2)}`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
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
