// `npm run bench:fleet` (issue 12): the one observation loop against a fleet of real API servers
// running the Flux stand-in. N registrations (BENCH_CLUSTERS, default 2000) spread over
// BENCH_SERVERS (default 8) harness API servers, one configuration pushed to all of them, the loop
// running in its own process (scripts/bench-fleet-loop.ts: the portal's boot, background on) on a
// temporary SQLite file, so its CPU and memory are its own. Prints `name: value` lines:
// refresh_200_s, refresh_<N>_s, change_to_dashboard_p50_s/_p95_s, idle_cpu_pct (once the loop has
// settled after the last change: idle_settle_s), steady_cpu_pct, rss_mib, peer_ratio.
// Run with --conditions=react-server so server-only modules load.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { cpuSeconds, percentile, rssMib } from "./bench-proc";
import { SERVER_NODE_FLAGS, serverEnv } from "./node-flags.mjs";

const N = Number(process.env.BENCH_CLUSTERS ?? 2000);
const SERVERS = Number(process.env.BENCH_SERVERS ?? 8);
const SMALL = Math.min(200, N);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
// The issue asks for memory after 10 minutes at N; shorter runs say which duration they used.
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 600);
// The full observation's interval (lib/env.ts's default unless set for the run).
const INVENTORY_S = Number(process.env.FLEETLINE_INVENTORY_INTERVAL_S ?? 300);
// The longest any one step may take before the benchmark gives up.
const WAIT_MS = Number(process.env.BENCH_WAIT_S ?? 900) * 1000;
const PEER_PARALLEL = 16;
// BENCH_REPLICAS (default 1): how many portal processes observe the N registrations, sharing the
// database (lib/server/replicas.ts divides the clusters among them). With more than one, each
// process's figures are printed and idle_cpu_pct / rss_mib are the busiest / largest process's,
// with the sums beside them.
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1);
// BENCH_DATABASE=postgres: the run's database is a throwaway PostgreSQL server's
// (test-support/pg-server.ts, Debian's binaries), not a SQLite file.
const DATABASE = process.env.BENCH_DATABASE === "postgres" ? "postgres" : "sqlite";
// The loop process runs with the server's own node flags (scripts/node-flags.mjs), then
// BENCH_LOOP_NODE_ARGS: extra flags for it alone (e.g. --cpu-prof --cpu-prof-dir=DIR; a later flag
// wins over the server's).
const LOOP_NODE_FLAGS = [...SERVER_NODE_FLAGS, ...(process.env.BENCH_LOOP_NODE_ARGS ?? "").split(" ").filter(Boolean)];
const root = path.resolve(__dirname, "..");
const REPO = "fleet-config";

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Polls `check` until it holds; returns when it did (performance.now()), or undefined after WAIT_MS. */
async function waitUntil(label: string, check: () => boolean | Promise<boolean>, stepMs = 100): Promise<number | undefined> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > deadline) {
      say(`gave up waiting for ${label} after ${WAIT_MS / 1000} s`);
      return undefined;
    }
    await sleep(stepMs);
  }
}

/** A measured figure, or why there is none (a wait that ran out is printed as such, never as a number). */
type Figure = { value: number } | { missing: string };
const show = (f: Figure, digits = 2) => ("value" in f ? f.value.toFixed(digits) : `not measured (${f.missing})`);

type Loop = { pid: number; startedAt: number; logFile: string; stop(): Promise<void> };

/** The loop process's last `bench-stats` line (scripts/bench-fleet-loop.ts): watches, connections, event-loop delay. */
function lastStats(loop: Loop): string {
  const lines = fs.readFileSync(loop.logFile, "utf8").split("\n").filter((l) => l.startsWith("bench-stats "));
  return lines.at(-1)?.slice("bench-stats ".length) ?? "(no stats yet)";
}

/** Each loop process's last stats line (one per replica). */
function loopStats(loops: readonly Loop[]): string {
  return loops.length === 1 ? lastStats(loops[0]!) : loops.map((loop, i) => `replica ${i + 1}: ${lastStats(loop)}`).join("; ");
}

type LoopCounts = { at?: number; watches?: { clusters: number; kinds: number; synced: number }; fullPasses?: number; received?: { events: number; lists: number; failures: number }; rows?: { touched: number; written: number } };

/** The counts in the loop processes' last `bench-stats` lines, summed over replicas (undefined before each has one). */
function loopCounts(loops: readonly Loop[]): LoopCounts | undefined {
  const each = loops.map((loop) => lastStats(loop));
  if (!each.every((last) => last.startsWith("{"))) return undefined;
  const counts = each.map((last) => JSON.parse(last) as LoopCounts);
  const sum = (f: (c: LoopCounts) => number | undefined) => counts.reduce((total, c) => total + (f(c) ?? 0), 0);
  return {
    // The newest line's time: a later line from any replica is a new interval to judge.
    at: Math.max(...counts.map((c) => c.at ?? 0)),
    watches: { clusters: sum((c) => c.watches?.clusters), kinds: sum((c) => c.watches?.kinds), synced: sum((c) => c.watches?.synced) },
    fullPasses: sum((c) => c.fullPasses),
    received: { events: sum((c) => c.received?.events), lists: sum((c) => c.received?.lists), failures: sum((c) => c.received?.failures) },
    rows: { touched: sum((c) => c.rows?.touched), written: sum((c) => c.rows?.written) },
  };
}

/** How much one of the loop's counts moved between two stats lines (NaN without both). */
function countDelta(a: LoopCounts | undefined, b: LoopCounts | undefined, f: (c: LoopCounts) => number | undefined): number {
  return a && b ? (f(b) ?? 0) - (f(a) ?? 0) : NaN;
}

/**
 * What happened in the loop over a window (from its bench-stats lines, 10 s apart): full
 * observations started, watch events and lists received, clusters whose rows were written. What
 * moves idle_cpu_pct between runs is whether any of these fell in its minute.
 */
function countsBetween(a: LoopCounts | undefined, b: LoopCounts | undefined): string {
  const d = (f: (c: LoopCounts) => number | undefined) => countDelta(a, b, f);
  return [
    `full_observations=${d((c) => c.fullPasses)}`,
    `watch_events=${d((c) => c.received?.events)}`,
    `watch_lists=${d((c) => c.received?.lists)}`,
    `rows_written=${d((c) => c.rows?.written)}`,
  ].join(" ");
}

/**
 * Waits (at most maxS) until two of the loop's bench-stats lines 10 s apart show no watch event
 * received and no cluster's rows written between them.
 */
async function settleUntilQuiet(loop: readonly Loop[], maxS: number): Promise<{ waitedS: number; quiet: boolean }> {
  const started = performance.now();
  let before = loopCounts(loop);
  for (;;) {
    await sleep(10_500);
    const after = loopCounts(loop);
    // The same line twice (the loop late to write its next): no interval to judge yet.
    if (after?.at === before?.at && performance.now() - started < maxS * 1000) continue;
    const events = countDelta(before, after, (c) => c.received?.events);
    const written = countDelta(before, after, (c) => c.rows?.written);
    const waitedS = (performance.now() - started) / 1000;
    if (events === 0 && written === 0) return { waitedS, quiet: true };
    if (waitedS >= maxS) return { waitedS, quiet: false };
    before = after;
  }
}

/**
 * Quiet (settleUntilQuiet), and no stand-in due to reconcile of its own accord within the idle
 * minute. The stand-ins re-reconcile each object on its spec.interval and write status each time,
 * as the controllers do; the registrations on one API server share its objects, so one such
 * reconcile is an event on every registration of that server at once (seen: 4,000 watch events in
 * one idle minute at 2,000, ten minutes after the first push). The steady window keeps them.
 */
async function settleAtRest(loop: readonly Loop[], standIns: readonly { nextReconcileAt(): number | undefined }[]): Promise<{ waitedS: number; quiet: boolean }> {
  const maxS = Number(process.env.BENCH_QUIET_MAX_S ?? 120);
  let waitedS = 0;
  for (let round = 0; ; round++) {
    const settled = await settleUntilQuiet(loop, maxS);
    waitedS += settled.waitedS;
    const next = Math.min(...standIns.map((s) => s.nextReconcileAt() ?? Infinity));
    const startsIn = next - Date.now();
    if (!settled.quiet || startsIn > (IDLE_S + 5) * 1000 || round === 3) return { waitedS, quiet: settled.quiet };
    say(`a stand-in reconciles on its interval in ${(startsIn / 1000).toFixed(0)} s: waiting for that to pass`);
    const waitMs = Math.max(0, startsIn) + 2_000;
    await sleep(waitMs);
    waitedS += waitMs / 1000;
  }
}

/**
 * How the loop process is started: its code bundled ahead of time (esbuild, the bundler tsx runs
 * on), as the portal's server code runs in production (Next's bundle), not transpiled as it loads.
 * Under tsx the process also held tsx's module lexer (a 23.7 MiB WebAssembly memory, es-module-
 * lexer's) and the sources and source maps tsx keeps (about 22 MiB at 500 registrations), and
 * rss_mib counted them. The bundle sits under node_modules/.cache so its packages resolve from
 * the project. BENCH_LOOP_TSX=1 starts it under tsx, as before, to compare.
 */
async function loopEntry(): Promise<{ code: "bundled" | "tsx"; args: string[] }> {
  const source = path.join(root, "scripts/bench-fleet-loop.ts");
  if (process.env.BENCH_LOOP_TSX === "1") return { code: "tsx", args: ["--import", "tsx", source] };
  const { build } = await import("esbuild");
  const outfile = path.join(root, "node_modules", ".cache", "fleetline-bench", `loop-${process.pid}.mjs`);
  await build({ entryPoints: [source], outfile, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", conditions: ["react-server"], logLevel: "warning" });
  process.on("exit", () => fs.rmSync(outfile, { force: true }));
  return { code: "bundled", args: [outfile] };
}

/** The portal's background half in its own process: boot() with the observation loop on. */
function startLoop(dir: string, label: string, entry: readonly string[], extraEnv: Record<string, string> = {}): Loop {
  const logFile = path.join(dir, `loop-${label}.log`);
  const out = fs.openSync(logFile, "a");
  const child: ChildProcess = spawn(process.execPath, [...LOOP_NODE_FLAGS, "--conditions=react-server", ...entry], {
    cwd: root,
    env: serverEnv({ ...process.env, FLEETLINE_BACKGROUND: "on", ...extraEnv }),
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const kill = () => child.kill("SIGKILL");
  process.on("exit", kill);
  let stopping = false;
  child.on("exit", (code, signal) => {
    // Stopped by us: it exits 0 on SIGTERM (so a --cpu-prof is written), which is no failure to report.
    if (!stopping && signal !== "SIGTERM" && signal !== "SIGKILL") console.error(`the loop process exited (${code ?? signal}); its log:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
  });
  if (child.pid === undefined) throw new Error("could not start the loop process");
  return {
    pid: child.pid,
    startedAt: performance.now(),
    logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off("exit", kill);
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-bench-fleet-"));
  // Also on Ctrl-C (the harness turns SIGINT/SIGTERM into an exit).
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  let databaseUrl = path.join(dir, "bench.db");
  if (DATABASE === "postgres") {
    const { createDatabase, startPgServer } = await import("../test-support/pg-server");
    // Stopped with the benchmark's process (test-support/process-guard.ts).
    const server = await startPgServer();
    databaseUrl = await createDatabase(server.adminUrl, "bench");
  }
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    FLEETLINE_DATA_DIR: dir,
    FLEETLINE_SECRET_KEY: "22".repeat(32),
    FLEETLINE_BACKGROUND: "off",
    FLEETLINE_ALLOW_LOCAL_SOURCES: "true",
  });
  const { getDb } = await import("../db");
  const { migrateDatabase } = await import("../db/client");
  migrateDatabase(getDb());
  const { startHarness } = await import("../test-support/harness");
  const { podinfoFiles } = await import("../test-support/git-fixtures");
  const { FLUX_API_VERSIONS, REQUESTED_AT } = await import("../test-support/flux-common");
  const { getCondition } = await import("../test-support/conditions");
  const { insertCluster } = await import("../lib/inventory/registry");
  const store = await import("../lib/configurations/store");
  const { startRollout } = await import("../lib/push/rollouts");
  const { runRollout } = await import("../lib/push/run");
  const { runStatusSweep, statusSettings } = await import("../lib/observe/loop");
  const { healthSettings } = await import("../lib/observe/inventory");
  const { dashboardSummary } = await import("../lib/queries/dashboard");
  const database = getDb().$client;
  const intervalS = healthSettings().intervalMs / 1000;

  say(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const entry = await loopEntry();
  say(`the loop process runs ${entry.code === "tsx" ? "under tsx (BENCH_LOOP_TSX=1)" : "bundled (esbuild)"}`);
  let t = performance.now();
  const harness = await startHarness({ clusters: SERVERS, name: "fleet", resyncMs: 0 });
  say(`started ${SERVERS} API servers with the Flux stand-in in ${seconds(performance.now() - t)} s`);
  const loops: Loop[] = [];
  // The loop processes now running (one, or BENCH_REPLICAS in the N phase).
  let current: Loop[] = [];
  try {
    const ids: string[] = [];
    const register = (count: number) => {
      for (let i = ids.length; i < count; i++) {
        const s = harness.clusters[i % SERVERS]!;
        const credentials = { server: s.server, token: s.adminToken, caData: s.caData };
        ids.push(insertCluster({ name: `fleet-${String(i).padStart(5, "0")}`, displayName: `fleet ${i}`, labels: { bench: "fleet" }, authMethod: "token", credentials, createdBy: "bench" }, null).id);
      }
    };
    const actor = { id: null, email: "bench", role: null };
    const push = async (configurationId: string, version: number, clusterIds: string[]) => {
      const t0 = performance.now();
      const rollout = startRollout(configurationId, version, { actor, clusterIds });
      if (rollout.status !== "ok") throw new Error(JSON.stringify(rollout));
      const progress = await runRollout(rollout.rolloutId);
      say(`pushed to ${progress?.counts.applied ?? 0} of ${clusterIds.length} registrations in ${seconds(performance.now() - t0)} s`);
    };

    register(SMALL);
    const saved = store.createConfiguration(
      {
        name: "bench",
        scope: "cluster",
        source: { kind: "GitRepository", url: harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
        kustomizations: [
          { name: "infra", path: "./infrastructure", prune: true },
          { name: "apps", path: "./apps/podinfo", dependsOn: ["infra"], targetNamespace: "podinfo", prune: true },
        ],
        targets: { selector: { matchLabels: { bench: "fleet" } } },
      },
      { author: "bench" },
    );
    if (saved.status !== "ok") throw new Error(JSON.stringify(saved));
    const configurationId = saved.configuration.id;
    await push(configurationId, saved.version, ids);
    await Promise.all(harness.flux.map((flux) => flux.waitForReady("Kustomization", "flux-system", "bench-apps", WAIT_MS)));

    // Server side: every Kustomization on every server has applied `sha`.
    const kustomizations = `/apis/${FLUX_API_VERSIONS.Kustomization}/namespaces/flux-system/kustomizations`;
    const appliedEverywhere = async (sha: string) => {
      const lists = await Promise.all(harness.clusters.map((c) => c.rest().json<{ items: { status?: { lastAppliedRevision?: string } }[] }>("GET", kustomizations)));
      return lists.every((l) => l.items.length > 0 && l.items.every((k) => k.status?.lastAppliedRevision?.endsWith(sha)));
    };
    // The pattern is built here: PostgreSQL cannot type `'%' || ?`.
    const countRows = database.prepare<[string, string], { n: number }>("select count(*) as n from configuration_status where configuration_id = ? and applied_revision like ?");
    const rowsShowing = (sha: string) => countRows.get(configurationId, `%${sha}`)?.n ?? 0;
    const countChecked = database.prepare<[number], { n: number }>("select count(*) as n from cluster_health where checked_at >= ?");
    /** Steady state: the loop process has observed every registration once (and, in watch mode, started following it). */
    const settle = async (loopStartedAtEpochMs: number, registrations: number) => {
      const t0 = performance.now();
      const done = await waitUntil(`the loop to observe all ${registrations} registrations once`, () => (countChecked.get(loopStartedAtEpochMs)?.n ?? 0) >= registrations, 250);
      if (done !== undefined) say(`the loop process observed all ${registrations} registrations ${seconds(done - t0)} s after its start`);
      // And follows every one: each registration's watches open and in sync (in watch mode), so
      // the refresh measures the loop at work, not a loop still making its first observations.
      if ((process.env.FLEETLINE_OBSERVE_MODE ?? "watch") === "watch") {
        const following = await waitUntil(`the loop to follow all ${registrations} registrations`, () => {
          const w = loopCounts(current)?.watches;
          return w !== undefined && w.clusters >= registrations && w.synced >= w.kinds;
        }, 1000);
        if (following !== undefined) say(`the loop process follows all ${registrations} registrations ${seconds(following - t0)} s after its start`);
      }
      await sleep(3000);
      say(`the loop: ${loopStats(current)}`);
    };

    /**
     * The change made on all servers at once: a new commit on main, and a reconcile request on
     * every server's GitRepository (what `flux reconcile source git` does), which the stand-in
     * applies. Returns how long the stand-in took, and then the loop until every row shows it.
     */
    let changeNo = 0;
    const refresh = async (registrations: number): Promise<{ figure: Figure; sha: string }> => {
      const sha = await harness.git!.commit(REPO, podinfoFiles(`bench change ${++changeNo}`), `bench: change ${changeNo}`);
      const t0 = performance.now();
      const stamp = new Date().toISOString();
      const gitRepositories = `/apis/${FLUX_API_VERSIONS.GitRepository}/namespaces/flux-system/gitrepositories`;
      await Promise.all(
        harness.clusters.map(async (c) => {
          const { items } = await c.rest().json<{ items: { metadata: { name: string } }[] }>("GET", gitRepositories);
          for (const { metadata } of items) {
            await c.rest().mergePatch({ apiVersion: FLUX_API_VERSIONS.GitRepository, kind: "GitRepository", namespace: "flux-system", name: metadata.name }, { metadata: { annotations: { [REQUESTED_AT]: stamp } } });
          }
        }),
      );
      const applied = await waitUntil(`the stand-ins to apply ${sha}`, () => appliedEverywhere(sha), 50);
      if (applied === undefined) return { figure: { missing: "the stand-ins did not apply the commit" }, sha };
      const early = rowsShowing(sha);
      let nextReport = performance.now() + 10_000;
      const done = await waitUntil(`${registrations} rows to show ${sha}`, () => {
        const showing = rowsShowing(sha);
        if (performance.now() > nextReport) {
          nextReport += 10_000;
          say(`change ${changeNo}: ${showing} of ${registrations} rows show it; the loop: ${loopStats(current)}`);
        }
        return showing >= registrations;
      });
      if (done === undefined) {
        const missing = `${rowsShowing(sha)} of ${registrations} rows showed it after ${WAIT_MS / 1000} s`;
        say(`change ${changeNo}: ${missing}`);
        return { figure: { missing }, sha };
      }
      say(`change ${changeNo}: the stand-ins applied it on ${SERVERS} servers in ${seconds(applied - t0)} s (${early} rows already showed it); every one of ${registrations} rows ${seconds(done - applied)} s later`);
      say(`the loop: ${loopStats(current)}`);
      return { figure: { value: (done - applied) / 1000 }, sha };
    };

    /** One observation pass over `count` registrations, run directly: what each interval costs. */
    const directPasses = async (count: number) => {
      const walls: number[] = [];
      for (let pass = 1; pass <= 2; pass++) {
        const t0 = performance.now();
        const result = await runStatusSweep({ clusterIds: ids.slice(0, count) });
        const wall = performance.now() - t0;
        const ok = result.clusters.filter((c) => c.status === "ok").length;
        const reasons = new Map<string, number>();
        for (const c of result.clusters) if (c.status !== "ok") reasons.set(c.reason ?? c.status, (reasons.get(c.reason ?? c.status) ?? 0) + 1);
        const why = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([reason, n]) => `${n}× ${reason}`).join("; ");
        say(`direct observation pass ${pass}${pass === 1 ? " (cold)" : ""} over ${count} registrations: ${seconds(wall)} s, ${ok}/${count} ok${why ? ` (${why})` : ""}`);
        walls.push(wall);
      }
      return walls[1]! / 1000;
    };

    // ---- 200 registrations ----
    const pass200 = await directPasses(SMALL);
    let loopStartedAt = Date.now();
    current = [startLoop(dir, "small", entry.args)];
    loops.push(...current);
    // The loop has observed every registration (some may have missed their deadline in the direct passes).
    t = performance.now();
    const settled = await waitUntil(`${SMALL} rows to show the pushed revision`, () => rowsShowing(harness.sample!.commits.bump) >= SMALL);
    if (settled) say(`the loop process shows the pushed revision on all ${SMALL} rows ${seconds(performance.now() - t)} s after its start`);
    await settle(loopStartedAt, SMALL);
    const refreshSmall = await refresh(SMALL);

    // The peer: kubectl over the same registrations as contexts, PEER_PARALLEL at a time.
    const peer = runPeer(dir, harness.clusters, SMALL);
    const peerRatio: Figure =
      "reason" in peer ? { missing: peer.reason } : "value" in refreshSmall.figure ? { value: refreshSmall.figure.value / peer.seconds } : { missing: `no refresh_${SMALL}_s` };
    await Promise.all(current.map((l) => l.stop()));

    // ---- N registrations ----
    let refreshN = refreshSmall;
    let passN = pass200;
    if (N > SMALL) {
      t = performance.now();
      const before = ids.length;
      register(N);
      say(`registered ${N - before} more in ${seconds(performance.now() - t)} s`);
      await push(configurationId, saved.version, ids.slice(before));
      passN = await directPasses(N);
    }
    loopStartedAt = Date.now();
    current =
      REPLICAS === 1 ? [startLoop(dir, "full", entry.args)] : Array.from({ length: REPLICAS }, (_, i) => startLoop(dir, `full-${i + 1}`, entry.args, { FLEETLINE_REPLICA_ID: `bench-${i + 1}` }));
    loops.push(...current);
    if (REPLICAS > 1) say(`${REPLICAS} loop processes (replicas) share the ${N} registrations`);
    if (N > SMALL) {
      t = performance.now();
      const caughtUp = await waitUntil(`${N} rows to show the last change`, () => rowsShowing(refreshSmall.sha) >= N);
      if (caughtUp) say(`the loop process shows the last change on all ${N} rows ${seconds(performance.now() - t)} s after its start`);
    }
    await settle(loopStartedAt, N);
    if (N > SMALL) refreshN = await refresh(N);

    // From a status change on one cluster (registration 0, on server 0) to the dashboard's query showing it.
    const watched = ids[0]!;
    const flux = harness.flux[0]!;
    const samples: number[] = [];
    let unseen = 0;
    for (let k = 1; k <= CHANGES; k++) {
      const failing = k % 2 === 1;
      if (failing) {
        flux.fail("Kustomization", "flux-system", "bench-apps", `bench failure ${k}`);
        await flux.waitFor("Kustomization", "flux-system", "bench-apps", (o) => getCondition(o, "Ready")?.status === "False", WAIT_MS);
      } else {
        flux.recover("Kustomization", "flux-system", "bench-apps");
        await flux.waitForReady("Kustomization", "flux-system", "bench-apps", WAIT_MS);
      }
      const t0 = performance.now();
      const shown = await waitUntil(`the dashboard to show change ${k}`, () => {
        const row = dashboardSummary().attention.rows.find((r) => r.clusterId === watched);
        return failing ? (row?.nonCompliant ?? 0) > 0 : (row?.nonCompliant ?? 0) === 0;
      });
      if (shown === undefined) {
        // Not seen within WAIT_MS: counted as a miss, and the remaining changes are not made.
        unseen = CHANGES - k + 1;
        break;
      }
      samples.push((shown - t0) / 1000);
      say(`status change ${k} (${failing ? "Ready=False" : "Ready=True again"}): on the dashboard after ${samples.at(-1)!.toFixed(2)} s`);
    }
    if ((samples.length + (unseen > 0 ? 1 : 0)) % 2 === 1) {
      flux.recover("Kustomization", "flux-system", "bench-apps");
      await flux.waitForReady("Kustomization", "flux-system", "bench-apps", WAIT_MS);
    }
    samples.sort((a, b) => a - b);

    // Nothing changes now: the loop's own CPU over IDLE_S, after a settling wait. Each cluster's
    // next pass after a change still works its rows out again (its watch cache moved) and finds them
    // as stored; the wait is one pass interval by default. That is not always enough: at 2,000 the
    // loop took about 90 s to come to rest after the fleet-wide commit, so the minute can still
    // hold some settling. Runs before this one took the minute 2 s after the last change.
    // Then, up to BENCH_QUIET_MAX_S more, until one of the loop's 10 s counts shows no watch event and
    // no rows written: the stand-ins still writing status after the fleet-wide commit is the fleet
    // changing, not at rest (at 2,000 the minute had caught such writes: idle_work says what fell in it).
    const settleS = Number(process.env.BENCH_SETTLE_S ?? intervalS);
    say(`settling: ${settleS} s (one pass interval) after the last change before the idle minute`);
    await sleep(settleS * 1000);
    const quietS = await settleAtRest(current, harness.flux);
    say(`the loop's counts were quiet (no watch event, no rows written in 10 s) after ${quietS.waitedS.toFixed(0)} s more${quietS.quiet ? "" : ": not quiet yet, measured anyway"}`);
    // BENCH_LOOP_PROFILE=DIR: the loop process writes a CPU profile of the idle period there.
    const profile = () => process.env.BENCH_LOOP_PROFILE && current.forEach((l) => process.kill(l.pid, "SIGUSR2"));
    const cpuOf = () => current.map((l) => cpuSeconds(l.pid));
    profile();
    const counts0 = loopCounts(current);
    const cpu0 = cpuOf();
    const wall0 = performance.now();
    await sleep(IDLE_S * 1000);
    const idleCounts = countsBetween(counts0, loopCounts(current));
    profile();
    const idleWallS = (performance.now() - wall0) / 1000;
    const idleCpu = cpuOf().map((cpu, i) => ((cpu - cpu0[i]!) / idleWallS) * 100);
    const idleCpuPct = Math.max(...idleCpu);
    say(`idle: ${idleCpu.map((pct) => pct.toFixed(1)).join(" + ")} % of one core over ${IDLE_S} s, ${current.map((l) => rssMib(l.pid).toFixed(0)).join(" + ")} MiB resident; the loop: ${loopStats(current)}`);

    // The profile is written after the CPU figure is taken, before the loop can be stopped.
    if (process.env.BENCH_LOOP_PROFILE) await sleep(15_000);
    const steadyLeft = current[0]!.startedAt + STEADY_S * 1000 - performance.now();
    // The idle minute comes before the first full observations fall due again; the end of the
    // steady period (at most one inventory interval of it) holds them: its CPU is the cost at rest
    // with every kind of pass in it.
    let steady: { cpuPct: number; windowS: number; work: string } | undefined;
    if (steadyLeft > 0) {
      say(`waiting ${seconds(steadyLeft)} s more for the steady period (${STEADY_S} s at ${N} registrations)`);
      const windowMs = Math.min(steadyLeft, INVENTORY_S * 1000);
      await sleep(steadyLeft - windowMs);
      const countsA = loopCounts(current);
      const cpuA = cpuOf();
      await sleep(windowMs);
      const each = cpuOf().map((cpu, i) => ((cpu - cpuA[i]!) / (windowMs / 1000)) * 100);
      steady = { cpuPct: Math.max(...each), windowS: windowMs / 1000, work: countsBetween(countsA, loopCounts(current)) };
      say(`steady: ${each.map((pct) => pct.toFixed(1)).join(" + ")} % of one core over the last ${steady.windowS.toFixed(0)} s; the loop: ${loopStats(current)}`);
    }
    const steadyS = (performance.now() - current[0]!.startedAt) / 1000;
    const rssEach = current.map((l) => rssMib(l.pid));
    const rss = Math.max(...rssEach);

    const mode = process.env.FLEETLINE_OBSERVE_MODE ?? "watch";
    console.log(
      mode === "watch"
        ? `observation: list, then watch the kinds in use; a pass every ${intervalS} s checks each cluster answers, a full one every ${INVENTORY_S} s`
        : `observation: the loop lists on an interval (every ${intervalS} s per cluster, ${statusSettings().concurrency} at a time; no watches)`,
    );
    console.log(`observe_mode: ${mode}`);
    console.log(`http2: ${process.env.FLEETLINE_HTTP2 === "off" ? "off" : "on"}`);
    console.log(`database: ${DATABASE}`);
    console.log(`loop_code: ${entry.code}`);
    console.log(`loop_node_flags: ${LOOP_NODE_FLAGS.join(" ")}`);
    console.log(`observe_pass_${SMALL}_s: ${pass200.toFixed(2)}`);
    if (N > SMALL) console.log(`observe_pass_${N}_s: ${passN.toFixed(2)}`);
    console.log(`refresh_${SMALL}_s: ${show(refreshSmall.figure)}`);
    if (N > SMALL) console.log(`refresh_${N}_s: ${show(refreshN.figure)}`);
    const changes: Figure = unseen > 0 ? { missing: `change ${samples.length + 1} was not on the dashboard after ${WAIT_MS / 1000} s` } : { value: 0 };
    console.log(`change_to_dashboard_p50_s: ${"value" in changes ? percentile(samples, 50).toFixed(2) : show(changes)}`);
    console.log(`change_to_dashboard_p95_s: ${"value" in changes ? percentile(samples, 95).toFixed(2) : show(changes)}`);
    console.log(`change_to_dashboard_changes: ${samples.length} of ${CHANGES}`);
    console.log(`replicas: ${current.length}`);
    console.log(`idle_cpu_pct: ${idleCpuPct.toFixed(1)}`);
    if (current.length > 1) console.log(`idle_cpu_pct_each: ${idleCpu.map((pct) => pct.toFixed(1)).join(" ")}`);
    if (current.length > 1) console.log(`idle_cpu_pct_total: ${idleCpu.reduce((a, b) => a + b, 0).toFixed(1)}`);
    console.log(`idle_settle_s: ${(settleS + quietS.waitedS).toFixed(0)}`);
    // In the idle minute, from the loop's counts (10 s apart): what work fell in it.
    console.log(`idle_work: ${idleCounts}`);
    console.log(`steady_cpu_pct: ${steady && steady.windowS >= 60 ? steady.cpuPct.toFixed(1) : "unavailable (BENCH_STEADY_S leaves under 60 s after the idle minute)"}`);
    if (steady) console.log(`steady_cpu_window_s: ${steady.windowS.toFixed(0)}`);
    if (steady) console.log(`steady_work: ${steady.work}`);
    console.log(`rss_mib: ${rss.toFixed(0)}`);
    if (current.length > 1) console.log(`rss_mib_each: ${rssEach.map((mib) => mib.toFixed(0)).join(" ")}`);
    if (current.length > 1) console.log(`rss_mib_total: ${rssEach.reduce((a, b) => a + b, 0).toFixed(0)}`);
    console.log(`rss_after_s: ${steadyS.toFixed(0)}`);
    if ("seconds" in peer) console.log(`peer_kubectl_${SMALL}_s: ${peer.seconds.toFixed(2)}`);
    console.log(`peer_ratio: ${"value" in peerRatio ? peerRatio.value.toFixed(2) : `unavailable (${peerRatio.missing})`}`);
    console.log(`registrations: ${N}`);
    console.log(`servers: ${SERVERS}`);
    console.log(`load_average: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  } finally {
    await Promise.all(loops.map((l) => l.stop()));
    await harness.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Server = { server: string; caData: string; adminToken: string };

/**
 * The peer's way of getting the same picture: `kubectl get gitrepositories,kustomizations -A -o json`
 * once per context, PEER_PARALLEL at a time (xargs -P), one context per registration. A first run
 * fills kubectl's discovery cache (as a peer's would be); the second is timed.
 */
function runPeer(dir: string, servers: readonly Server[], registrations: number): { seconds: number } | { reason: string } {
  const version = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  if (version.error || version.status !== 0) return { reason: `kubectl not runnable: ${version.error?.message ?? version.stderr.trim()}` };
  say(`peer: ${version.stdout.split("\n")[0]}`);
  const kubeconfig = path.join(dir, "peer-kubeconfig.json");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  fs.writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: servers.map((s, i) => ({ name: `s${i}`, cluster: { server: s.server, "certificate-authority-data": b64(s.caData) } })),
      users: servers.map((s, i) => ({ name: `u${i}`, user: { token: s.adminToken } })),
      contexts: Array.from({ length: registrations }, (_, i) => ({ name: `c${i}`, context: { cluster: `s${i % servers.length}`, user: `u${i % servers.length}` } })),
    }),
    { mode: 0o600 },
  );
  const cache = path.join(dir, "kube-cache");
  const script = `seq 0 ${registrations - 1} | xargs -P${PEER_PARALLEL} -I{} kubectl --kubeconfig "${kubeconfig}" --cache-dir "${cache}" --context c{} get gitrepositories,kustomizations -A -o json > /dev/null`;
  let seconds = 0;
  for (const run of ["warm-up", "timed"]) {
    const t0 = performance.now();
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    seconds = (performance.now() - t0) / 1000;
    if (result.status !== 0) return { reason: `kubectl failed (${result.status}): ${result.stderr.trim().split("\n").slice(-2).join(" ")}` };
    say(`peer ${run}: ${registrations} kubectl runs, ${PEER_PARALLEL} at a time: ${seconds.toFixed(2)} s`);
  }
  return { seconds };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
