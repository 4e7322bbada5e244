import "server-only";

// Results that need a cluster or Git (a drift computation, a `git fetch` and log) are computed in
// the background and kept here; a page renders the last result with its age and never waits
// longer than `waitMs` for a new one. A hanging git host or cluster then costs the page a
// bounded wait and a "still computing" line, not a hung request: the computation goes on (under
// its own deadlines) and the next render shows it. One computation per key runs at a time.

export type Computed<T> =
  | { status: "ready"; value: T; computedAt: Date; refreshing: boolean }
  | { status: "computing"; startedAt: Date }
  | { status: "failed"; error: string; failedAt: Date; refreshing: boolean };

type Entry = {
  value?: unknown;
  computedAt?: number;
  error?: string;
  failedAt?: number;
  running?: Promise<void>;
  startedAt?: number;
  usedAt: number;
  /** readVersioned: the version of the inputs `value` was computed from. */
  version?: string;
};

/** Enough for every configuration's commits and a few hundred drift views; least recently used go first. */
const MAX_ENTRIES = 1000;

// On globalThis so dev-mode module reloads keep one cache (and one computation per key).
const globalForComputed = globalThis as unknown as { fleetlineComputed?: Map<string, Entry> };
function entries(): Map<string, Entry> {
  globalForComputed.fleetlineComputed ??= new Map();
  return globalForComputed.fleetlineComputed;
}

function evict(cache: Map<string, Entry>): void {
  if (cache.size <= MAX_ENTRIES) return;
  const idle = [...cache.entries()].filter(([, e]) => !e.running).sort((a, b) => a[1].usedAt - b[1].usedAt);
  for (const [key] of idle.slice(0, cache.size - MAX_ENTRIES)) cache.delete(key);
}

function start(entry: Entry, compute: () => Promise<unknown>, now: number): void {
  if (entry.running) return;
  entry.startedAt = now;
  entry.running = compute().then(
    (value) => {
      entry.value = value;
      entry.computedAt = Date.now();
      entry.error = undefined;
    },
    (error: unknown) => {
      // A clean sentence only: the computations return their own clean errors; anything else is a bug we do not echo.
      entry.error = error instanceof Error && error.message.length < 300 ? error.message : "the computation failed";
      entry.failedAt = Date.now();
    },
  );
  // Both outcomes are handled above, so this chain never rejects.
  void entry.running.finally(() => {
    entry.running = undefined;
  });
}

function view<T>(entry: Entry): Computed<T> {
  const refreshing = entry.running !== undefined;
  if (entry.computedAt !== undefined && (entry.failedAt === undefined || entry.computedAt >= entry.failedAt)) {
    return { status: "ready", value: entry.value as T, computedAt: new Date(entry.computedAt), refreshing };
  }
  if (entry.failedAt !== undefined && entry.error !== undefined) return { status: "failed", error: entry.error, failedAt: new Date(entry.failedAt), refreshing };
  return { status: "computing", startedAt: new Date(entry.startedAt ?? Date.now()) };
}

export type ReadOptions = {
  /** A result older than this is recomputed in the background (and shown meanwhile). */
  maxAgeMs: number;
  /** How long a render waits for a computation before it shows "computing". */
  waitMs: number;
  /** Recompute now, whatever the age (the refresh button). */
  force?: boolean;
};

/** The last result for `key` (starting a computation when there is none, it is old, or `force`), waiting at most `waitMs`. */
export async function readComputed<T>(key: string, compute: () => Promise<T>, { maxAgeMs, waitMs, force = false }: ReadOptions): Promise<Computed<T>> {
  const cache = entries();
  const now = Date.now();
  const entry = cache.get(key) ?? { usedAt: now };
  entry.usedAt = now;
  cache.set(key, entry);
  evict(cache);
  const last = Math.max(entry.computedAt ?? 0, entry.failedAt ?? 0);
  if (force || last === 0 || now - last >= maxAgeMs) start(entry, compute, now);
  // Wait only when there is nothing to show yet, or the user asked for a fresh result.
  const running = entry.running;
  if (running && (last === 0 || force) && waitMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([running, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }
  return view<T>(entry);
}

/** Starts a fresh computation for `key` without waiting (the refresh action); the next render shows it. */
export function refreshComputed(key: string, compute: () => Promise<unknown>): void {
  const cache = entries();
  const now = Date.now();
  const entry = cache.get(key) ?? { usedAt: now };
  cache.set(key, entry);
  evict(cache);
  start(entry, compute, now);
}

/**
 * The value for `key` computed from inputs at `version` (anything that moves whenever the inputs
 * change, e.g. the compliance epoch): the stored one when its version matches, else computed now
 * and stored. Exact, never stale: for database reads whose inputs carry such a version.
 */
export function readVersioned<T>(key: string, version: string, compute: () => T): T {
  const cache = entries();
  const now = Date.now();
  const entry = cache.get(key);
  if (entry && entry.version === version && entry.computedAt !== undefined) {
    entry.usedAt = now;
    return entry.value as T;
  }
  const value = compute();
  cache.set(key, { value, version, computedAt: Date.now(), usedAt: now });
  evict(cache);
  return value;
}

/** Seconds since `date`, for "computed N s ago". */
export function secondsSince(date: Date, now = Date.now()): number {
  return Math.max(0, Math.round((now - date.getTime()) / 1000));
}

/** Test hook: forget everything. */
export function clearComputed(): void {
  entries().clear();
}
