// Started by bench-fleet as a child process: the portal's background half (lib/server/boot:
// migrations, then the one observation loop) on the benchmark's database, so the benchmark can
// read this process's CPU time and resident memory alone. Runs until it is killed.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import { getDb } from "../db";
import { boot } from "../lib/server/boot";
import { connectionTotals } from "../lib/inventory/client-cache";
import { watchStats, watchTotals } from "../lib/observe/watches";
import { persistTotals } from "../lib/status/persist";
import { fullObservationsStarted, observationCounters } from "../lib/observe/loop";

// The loop's timers are unref'd (they must not keep a server alive); this one keeps the process up.
setInterval(() => undefined, 60_000);
boot().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
// A normal exit on SIGTERM, so what the process was started with (--cpu-prof in NODE_OPTIONS) is written out.
process.on("SIGTERM", () => process.exit(0));

/** On PostgreSQL: the requests the connection waited for so far (db/pg/client.ts); nothing on SQLite. */
function dbRoundTrips(): { dbRoundTrips?: number } {
  const trips = (getDb().$client as unknown as { roundTrips?: unknown }).roundTrips;
  return typeof trips === "number" ? { dbRoundTrips: trips } : {};
}

// Every 10 s, one `bench-stats {json}` line the benchmark reads back: the watches (open, in sync), the passes at rest,
// the connections, and how late this process's event loop ran over those 10 s.
const delay = monitorEventLoopDelay({ resolution: 20 });
delay.enable();
setInterval(() => {
  void connectionTotals().then((connections) => {
    const memory = process.memoryUsage();
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    const line = {
      at: Date.now(),
      watches: watchStats(),
      // Observations started so far, and the light passes among them that found their cluster at rest.
      passes: observationCounters().passes,
      quietPasses: observationCounters().quietPasses,
      // Full observations started, what the watches received, and clusters whose rows were written (not only touched).
      fullPasses: fullObservationsStarted(),
      received: watchTotals(),
      rows: persistTotals(),
      connections,
      ...dbRoundTrips(),
      loopDelayP99Ms: Math.round(delay.percentile(99) / 1e6),
      loopDelayMaxMs: Math.round(delay.max / 1e6),
      // Where the resident memory is: the JS heap, or outside it (buffers, TLS, nghttp2, SQLite).
      memoryMib: { rss: mib(memory.rss), heapUsed: mib(memory.heapUsed), heapTotal: mib(memory.heapTotal), external: mib(memory.external), arrayBuffers: mib(memory.arrayBuffers) },
      // Each V8 space's size against what is in use in it: where the heap's headroom is.
      heapSpacesMib: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name.replace(/_space$/, ""), `${mib(space.space_used_size)}/${mib(space.space_size)}`])),
    };
    delay.reset();
    console.log(`bench-stats ${JSON.stringify(line)}`);
  });
}, 10_000);

// BENCH_LOOP_PROFILE=DIR: the first SIGUSR2 starts a CPU profile of this process and a sampling
// allocation profile that also keeps what full collections freed since (what lived long enough to
// be promoted, the garbage that makes full collections run, not only what is live), the second
// writes both (and a heap snapshot) to DIR (the benchmark sends them
// around its idle period): what the loop costs at rest alone.
const profileDir = process.env.BENCH_LOOP_PROFILE;
if (profileDir) {
  let session: import("node:inspector/promises").Session | undefined;
  process.on("SIGUSR2", () => {
    void (async () => {
      const { Session } = await import("node:inspector/promises");
      if (!session) {
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        await session.post("HeapProfiler.enable");
        // Node's types predate the two include* parameters; V8 in Node 20 takes them.
        const sampling = { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false };
        await session.post("HeapProfiler.startSampling", sampling);
        return;
      }
      const { profile } = await session.post("Profiler.stop");
      const { profile: allocations } = await session.post("HeapProfiler.stopSampling");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(`${profileDir}/idle-${process.pid}.cpuprofile`, JSON.stringify(profile));
      writeFileSync(`${profileDir}/idle-${process.pid}.heapprofile`, JSON.stringify(allocations));
      // And what the heap holds at rest, for the memory figure.
      const { writeHeapSnapshot } = await import("node:v8");
      writeHeapSnapshot(`${profileDir}/idle-${process.pid}.heapsnapshot`);
      session.disconnect();
      session = undefined;
    })();
  });
}
