// `npm run bench:push`: pushes one configuration (a GitRepository + 3 Kustomizations) to 1,000
// registered clusters and prints wall time and per-cluster p50/p95: one wave 16 at a time, one
// wave 64 at a time (push_1000_clusters_s), and three waves 64 at a time with zero soak
// (waves_overhead_s: that minus the one-wave time). The registrations share a few real
// kube-apiservers (each registration is its own client, TLS session and discovery, and every
// apply is a real server-side apply round trip; registrations on the same server re-apply the
// same objects). No Flux runs there, so a wave's gate is fed by this script: it marks each
// applied cluster Compliant on the pushed version every 50 ms, as the observation loop would
// (whose own cost bench:status measures). Options: --clusters N (1000), --servers N (8).
// First, with no API server: renders one configuration for 1,000 targets that each get
// distinct values (cluster variables and overrides), render_1000_distinct_ms; --render-only
// stops there.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { percentile } from "./bench-proc";

// Server modules import "server-only", which resolves to an empty module only under the
// react-server condition (as inside Next); re-run this script with it.
if (!process.execArgv.includes("--conditions=react-server")) {
  const child = spawnSync(process.execPath, ["--conditions=react-server", ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Pure rendering, as a push does per target: 1,000 clusters, each with its own name and labels. */
async function benchDistinctRenders(): Promise<void> {
  const { configurationSpecSchema } = await import("../lib/validation/configuration");
  const { renderFor } = await import("../lib/reconcilers/render");
  const spec = configurationSpecSchema.parse({
    name: "bench",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/example/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [
      { name: "infra", path: "infrastructure", postBuild: { substitute: { CLUSTER: "${cluster_name}", REGION: "${cluster_label_region}" } } },
      { name: "apps", path: "apps", dependsOn: ["infra"], postBuild: { substitute: { HOST: "${cluster_name}.apps.example.com", SIZE: "small" } } },
    ],
    helmReleases: [{ name: "ingress", chart: "charts/ingress", values: "replicas: 2\nhost: ${cluster_name}.example.com\nresources:\n  limits:\n    cpu: 100m\n" }],
    targets: { selector: { matchLabels: { bench: "true" } } },
    overrides: [
      { selector: { matchLabels: { tier: "edge" } }, substitute: { SIZE: "medium" }, helmValues: { ingress: "replicas: 3\nresources:\n  limits:\n    cpu: 200m\n" } },
      { selector: { matchLabels: { region: "eu-7" } }, substitute: { SIZE: "large" } },
      { clusterId: "c-0042", helmValues: { ingress: "replicas: 9\n" } },
    ],
  });
  const clusters = Array.from({ length: 1000 }, (_, i) => ({
    id: `c-${String(i).padStart(4, "0")}`,
    name: `cluster-${i}`,
    labels: { bench: "true", region: `eu-${i % 10}`, ...(i % 3 === 0 ? { tier: "edge" } : {}) },
    reconciler: "flux",
  }));
  const runOnce = () => {
    const distinct = new Set<string>();
    const begin = performance.now();
    for (const cluster of clusters) {
      const objects = renderFor("flux", { spec, version: 1, configurationId: "bench", cluster });
      distinct.add(JSON.stringify(objects.map((o) => o.spec)));
    }
    return { ms: performance.now() - begin, distinct: distinct.size };
  };
  runOnce(); // warm-up: module and JIT
  const timings = [runOnce(), runOnce(), runOnce()].sort((a, b) => a.ms - b.ms);
  const median = timings[1]!;
  if (median.distinct !== clusters.length) throw new Error(`expected ${clusters.length} distinct renders, got ${median.distinct}`);
  console.log(`rendered 1 configuration for ${clusters.length} clusters (${median.distinct} distinct renders), median of 3`);
  console.log(`render_1000_distinct_ms: ${median.ms.toFixed(0)}`);
}

async function main(): Promise<void> {
  await benchDistinctRenders();
  if (process.argv.includes("--render-only")) return;
  const clusterCount = option("clusters", 1000);
  const serverCount = option("servers", 8);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bench-"));
  Object.assign(process.env, {
    DATABASE_URL: path.join(dir, "bench.db"),
    FLEETLINE_DATA_DIR: dir,
    FLEETLINE_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
    FLEETLINE_BACKGROUND: "off",
    // How often a gate reads the status; the default is 2 s, a bench with zero soak shows the floor.
    FLEETLINE_GATE_POLL_MS: process.env.FLEETLINE_GATE_POLL_MS ?? "250",
  });
  const { startFleet } = await import("../test-support/cluster");
  const { getDb } = await import("../db");
  const { migrateDatabase } = await import("../db/client");
  const { checkConnection, insertCluster } = await import("../lib/inventory/registry");
  const { createConfiguration, updateConfiguration } = await import("../lib/configurations/store");
  const { startRollout } = await import("../lib/push/rollouts");
  const { runRollout } = await import("../lib/push/run");
  const { markAppliedCompliant } = await import("./bench-status-feed");
  migrateDatabase(getDb());

  console.log(`starting ${serverCount} API servers...`);
  const servers = await startFleet(serverCount, { name: "bench" });
  try {
    // Registered as the app registers them: the connection check stores what the cluster runs
    // (Flux), so a push renders at once. One check per API server, shared by its registrations.
    const checks = await Promise.all(servers.map((server) => checkConnection({ server: server.server, token: server.adminToken, caData: server.caData })));
    for (let i = 0; i < clusterCount; i++) {
      const server = servers[i % servers.length]!;
      const credentials = { server: server.server, token: server.adminToken, caData: server.caData };
      const name = `bench-${String(i + 1).padStart(4, "0")}`;
      insertCluster({ name, displayName: name, labels: { bench: "true" }, authMethod: "token", credentials, createdBy: "bench" }, checks[i % servers.length]!);
    }
    const spec = (strategy?: object) => ({
      name: "bench",
      scope: "cluster",
      source: { kind: "GitRepository", url: "https://github.com/example/fleet", ref: { type: "branch", value: "main" } },
      kustomizations: [
        { name: "infra", path: "infrastructure" },
        { name: "apps", path: "apps", dependsOn: ["infra"] },
        { name: "monitoring", path: "monitoring", dependsOn: ["infra"] },
      ],
      targets: { selector: { matchLabels: { bench: "true" } } },
      ...(strategy ? { strategy } : {}),
    });
    const created = createConfiguration(spec(), { author: "bench" });
    if (created.status !== "ok") throw new Error(`could not create the configuration: ${JSON.stringify(created)}`);
    const configurationId = created.configuration.id;
    const actor = { id: null, email: "bench", role: null };
    console.log(`pushing 1 configuration (4 objects) to ${clusterCount} clusters on ${serverCount} API servers`);

    const push = async (label: string, version: number, concurrency: number) => {
      const started = startRollout(configurationId, version, { actor });
      if (started.status !== "ok") throw new Error(`could not start: ${JSON.stringify(started)}`);
      const stopMarking = markAppliedCompliant(started.rolloutId, configurationId);
      const begin = performance.now();
      const progress = await runRollout(started.rolloutId, { concurrency });
      const wallMs = performance.now() - begin;
      stopMarking();
      if (!progress) throw new Error("the rollout vanished");
      const durations = progress.clusters.map((c) => (c.finishedAt?.getTime() ?? 0) - (c.startedAt?.getTime() ?? 0)).sort((a, b) => a - b);
      const failures = progress.clusters.filter((c) => c.state !== "applied");
      console.log(
        `${label}: wall ${seconds(wallMs)} s, per cluster p50 ${seconds(percentile(durations, 50))} s, p95 ${seconds(percentile(durations, 95))} s, ` +
          `max ${seconds(durations.at(-1) ?? 0)} s, applied ${progress.counts.applied}/${progress.counts.total}, waves ${progress.control.waves.length}`,
      );
      for (const failure of failures.slice(0, 5)) console.log(`  failed ${failure.clusterName}: ${failure.reason}`);
      if (failures.length > 0) process.exitCode = 1;
      return wallMs;
    };

    // The first push creates the objects and lists every prunable kind on each cluster (nothing
    // is recorded of it yet); each later push is a new version (its objects change, so every
    // apply writes) and prunes from what the last push recorded.
    const version = (description: string, strategy?: object) => {
      const saved = updateConfiguration(configurationId, { ...spec(strategy), description }, { author: "bench" });
      if (saved.status !== "ok") throw new Error(`could not save: ${JSON.stringify(saved)}`);
      return saved.version;
    };
    const wallFirst = await push("first push (creates), one wave, 16 at a time", created.version, 16);
    const wall16 = await push("new version, one wave, 16 at a time", version("v2"), 16);
    const wall64 = await push("new version, one wave, 64 at a time", version("v3"), 64);
    // The same in three waves (a third, half the rest, the rest), each 64 at a time, zero soak.
    const waves = { waves: [{ name: "first", percent: 34, concurrency: 64, soakSeconds: 0 }, { name: "second", percent: 50, concurrency: 64, soakSeconds: 0 }, { name: "rest", concurrency: 64, soakSeconds: 0 }] };
    const wallWaves = await push("new version, three waves, 64 at a time, zero soak", version("v4", waves), 64);
    console.log(`push_1000_clusters_first_s: ${seconds(wallFirst)}`);
    console.log(`push_1000_clusters_16_s: ${seconds(wall16)}`);
    console.log(`push_1000_clusters_s: ${seconds(wall64)}`);
    console.log(`waves_overhead_s: ${seconds(wallWaves - wall64)}`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
