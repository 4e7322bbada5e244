import "server-only";

/**
 * One copy of each string the watch cache holds. JSON.parse makes a new string for every value it
 * reads, so the same configuration on many clusters leaves the same revision, configuration id,
 * reason and timestamps once per object on every cluster: a heap snapshot at 400 clusters held
 * "main@sha1:<commit>" 2,801 times, the configuration's id 2,401 times, 6.9 KiB of such copies a
 * cluster in all, nearly every one of them in cached objects.
 *
 * The pool holds at most POOL_MAX strings and starts over when full: a string it forgot stays
 * shared by whatever already points at it, and the next copy seen is pooled afresh. Strings longer
 * than MAX_LENGTH (messages carrying output, large annotations) are left as they are.
 */
const POOL_MAX = 50_000;
const MAX_LENGTH = 512;
let pool = new Map<string, string>();

function intern(value: string): string {
  if (value.length > MAX_LENGTH) return value;
  const known = pool.get(value);
  if (known !== undefined) return known;
  if (pool.size >= POOL_MAX) pool = new Map();
  pool.set(value, value);
  return value;
}

/**
 * Replaces, in place, every string value in `value` (objects and arrays, at any depth) with the
 * pooled copy; returns `value`. Frozen objects (the cache's shared field sets) are left alone. For
 * objects the caller owns, freshly parsed: nothing else may hold them. The walk keeps its own
 * stack, not the call stack's: JSON.parse builds any depth a cluster sends, and a recursive walk
 * threw RangeError on an object nested some thousands deep.
 */
export function internStrings<T>(value: T): T {
  const pending: unknown[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next !== "object" || next === null || Object.isFrozen(next)) continue;
    const record = next as Record<string, unknown>;
    for (const key of Array.isArray(next) ? next.keys() : Object.keys(record)) {
      const child = record[key];
      if (typeof child === "string") record[key] = intern(child);
      else if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return value;
}
