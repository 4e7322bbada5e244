import type { PathSegment } from "./managed-fields";

// Pure: leaf-level differences between two JSON values, with the values, for side-by-side views.

type LeafDiff = { segments: PathSegment[]; live: unknown; desired: unknown };
export type FieldDiff = { path: string; live: unknown; desired: unknown };

const MAX_FIELD_DIFFS = 100;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `spec.postBuild.substitute.env`, `metadata.annotations["fleetline.io/x"]`, `spec.dependsOn[0]`:
 * keys that are not plain words are quoted, so a path never reads ambiguously.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join("");
}

/**
 * Walks both values and reports each place they differ: a leaf with another value, a key on
 * one side only (reported where it starts), or arrays of different lengths (reported whole).
 * `undefined` on a side means absent there.
 */
export function leafDiffs(live: unknown, desired: unknown, segments: PathSegment[] = [], out: LeafDiff[] = []): LeafDiff[] {
  if (out.length >= MAX_FIELD_DIFFS) return out;
  if (isPlainObject(live) && isPlainObject(desired)) {
    const keys = [...new Set([...Object.keys(live), ...Object.keys(desired)])].sort();
    for (const key of keys) leafDiffs(live[key], desired[key], [...segments, key], out);
    return out;
  }
  if (Array.isArray(live) && Array.isArray(desired) && live.length === desired.length) {
    live.forEach((item, index) => leafDiffs(item, desired[index], [...segments, index], out));
    return out;
  }
  if (JSON.stringify(live) !== JSON.stringify(desired)) out.push({ segments, live, desired });
  return out;
}
