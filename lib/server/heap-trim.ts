import "server-only";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { log } from "@/lib/log";

/**
 * Gives back the JavaScript heap's unused pages while the server is at rest.
 *
 * A burst (a commit applied fleet-wide, a first observation of every cluster) grows V8's old
 * space; once it is over, what survives is spread thin over the pages the burst filled, and V8's
 * own collections move only a few MiB a time, so the pages stay resident. bench:fleet at 2,000
 * clusters: 148 MiB of old space for 107 in use at the idle line. A collection that compacts
 * every page moves what survives together and returns the rest; it costs a pause in proportion
 * to what is in use, so it runs only when the slack is worth it, the event loop was mostly idle
 * since the last check (every 15 s, so a burst is followed within half a minute), and not more
 * than once in MIN_GAP_MS. (Compacting on every full collection, tried as a server flag, cost
 * CPU at rest, when V8's memory reducer collects.)
 */
export const TRIM_CHECK_MS = 15_000;
export const MIN_GAP_MS = 5 * 60_000;
const MIN_SLACK_BYTES = 32 * 1024 * 1024;
const MIN_SLACK_SHARE = 0.25;
const MAX_UTILIZATION = 0.2;

export type HeapFigures = { total: number; used: number };

/** Whether to compact now: enough slack, a quiet event loop, and none too recently. */
export function shouldTrim(heap: HeapFigures, utilization: number, lastTrimAt: number | undefined, now: number): boolean {
  const slack = heap.total - heap.used;
  if (slack < MIN_SLACK_BYTES || slack < heap.used * MIN_SLACK_SHARE) return false;
  if (utilization > MAX_UTILIZATION) return false;
  return lastTrimAt === undefined || now - lastTrimAt >= MIN_GAP_MS;
}

function heapFigures(): HeapFigures {
  const { total_heap_size: total, used_heap_size: used } = getHeapStatistics();
  return { total, used };
}

/** One full collection that compacts every page it can; what the heap held before and after. */
export function trimHeap(): { before: HeapFigures; after: HeapFigures; ms: number } {
  const before = heapFigures();
  const started = performance.now();
  // gc() is only given to a context made while --expose-gc is set; the flag adds nothing else.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  setFlagsFromString("--compact-on-every-full-gc");
  try {
    gc();
  } finally {
    setFlagsFromString("--no-compact-on-every-full-gc");
  }
  return { before, after: heapFigures(), ms: performance.now() - started };
}

const globalForTrim = globalThis as unknown as { fleetlineHeapTrim?: NodeJS.Timeout };

export function startHeapTrim(): void {
  if (globalForTrim.fleetlineHeapTrim) return;
  let lastTrimAt: number | undefined;
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  globalForTrim.fleetlineHeapTrim = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (!shouldTrim(heapFigures(), utilization, lastTrimAt, Date.now())) return;
    lastTrimAt = Date.now();
    const { before, after, ms } = trimHeap();
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    log.info("heap compacted at rest", { totalMib: [mib(before.total), mib(after.total)], usedMib: [mib(before.used), mib(after.used)], ms: Math.round(ms) });
  }, TRIM_CHECK_MS);
  globalForTrim.fleetlineHeapTrim.unref();
}
