// `npm run bench:connections`: what one cluster's open connection costs in memory, with the
// portal's own cluster client. BENCH_CONNECTIONS clients (default 1,000) to one real API server,
// each built from its own credentials as a registration's is (its own TLS secure context), each
// with its connection open (one request made), as the observation loop keeps one per cluster for
// its watches. It prints, per connection, the resident memory it adds and how much of that is off
// the JavaScript heap, over HTTP/2 (the default) and over HTTP/1.1 keep-alive; and over HTTP/2 with
// two watches open on each connection (h2_watches), as bench:fleet's loop holds them per cluster.
//
// Each mode runs in a process of its own (this script again, BENCH_CONNECTIONS_MODE set), so one
// mode's freed memory is not the next one's head start.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

const N = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const MODES = ["h2", "http1", "h2_watches"] as const;
// Each watch follows a collection that stays empty: what an open watch holds at rest.
const WATCHED = ["/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/kube-public/configmaps"];
type Mode = (typeof MODES)[number];

const mib = (bytes: number) => bytes / 1048576;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    global.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

async function measure(mode: Mode): Promise<void> {
  Object.assign(process.env, { FLEETLINE_SECRET_KEY: "22".repeat(32), FLEETLINE_BACKGROUND: "off" });
  const { startCluster } = await import("../test-support/cluster");
  const { createClusterClient } = await import("../lib/k8s/client");
  const server = await startCluster({ name: "bench-connections" });
  try {
    const credentials = { server: server.server, token: server.adminToken, caData: server.caData };
    // One client made and used first, so the code it loads is not counted per connection.
    const http2 = mode !== "http1";
    const watching = mode === "h2_watches";
    const stop = new AbortController();
    const follow = async (client: ReturnType<typeof createClusterClient>) => {
      for (const path of WATCHED) {
        const list = await client.list(path);
        void client.watch(path, list.metadata.resourceVersion ?? "0", () => undefined, stop.signal).catch(() => undefined);
      }
    };
    const warm = createClusterClient({ ...credentials }, { timeoutMs: 15_000, http2 });
    await warm.version();
    if (watching) await follow(warm);
    await settle();
    const before = process.memoryUsage();
    const started = performance.now();
    const clients = [];
    for (let i = 0; i < N; i += 50) {
      const batch = Array.from({ length: Math.min(50, N - i) }, () => createClusterClient({ ...credentials }, { timeoutMs: 15_000, http2 }));
      await Promise.all(batch.map((client) => client.version()));
      if (watching) await Promise.all(batch.map(follow));
      clients.push(...batch);
    }
    const openS = (performance.now() - started) / 1000;
    await settle();
    const after = process.memoryUsage();
    const perKib = (a: number, b: number) => ((a - b) / N / 1024).toFixed(1);
    console.log(`connections_${mode}: ${clients.length}`);
    console.log(`connections_${mode}_open_s: ${openS.toFixed(2)}`);
    console.log(`connection_${mode}_rss_kib: ${perKib(after.rss, before.rss)}`);
    console.log(`connection_${mode}_heap_kib: ${perKib(after.heapUsed, before.heapUsed)}`);
    console.log(`connection_${mode}_off_heap_kib: ${perKib(after.rss - after.heapTotal, before.rss - before.heapTotal)}`);
    console.log(`connections_${mode}_rss_mib: ${mib(after.rss).toFixed(0)}`);
    if (watching) {
      const streams = (await Promise.all(clients.map((client) => client.connectionState()))).reduce((sum, state) => sum + state.streams, 0);
      console.log(`connections_${mode}_streams_open: ${streams}`);
    }
    stop.abort();
    for (const client of [warm, ...clients]) client.close();
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const mode = process.env.BENCH_CONNECTIONS_MODE as Mode | undefined;
  if (mode) return measure(mode);
  console.log(`${N} clients to one API server, each with its own credentials and its connection open`);
  for (const each of MODES) {
    const run = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", process.argv[1]!], { env: { ...process.env, BENCH_CONNECTIONS_MODE: each }, stdio: "inherit" });
    if (run.status !== 0) throw new Error(`the ${each} run exited with ${run.status ?? run.signal}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
