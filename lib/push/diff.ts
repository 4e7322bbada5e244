import { VERSION_ANNOTATION } from "@/lib/reconcilers/labels";

/** Pure: what a server-side dry-run would change on a live object, as field paths. */

export const MAX_CHANGED_PATHS = 50;

// Rewritten on every push even when nothing else changes: not a change worth reporting.
const NOISE_ANNOTATIONS = new Set([VERSION_ANNOTATION, "kubectl.kubernetes.io/last-applied-configuration"]);

type Json = unknown;
type ApiObject = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; [field: string]: Json };

/** The parts of an object a push sets; server-managed metadata and status are left out. */
export function comparable(object: ApiObject): Record<string, Json> {
  const annotations = Object.fromEntries(Object.entries(object.metadata?.annotations ?? {}).filter(([key]) => !NOISE_ANNOTATIONS.has(key)));
  return {
    labels: object.metadata?.labels ?? {},
    annotations,
    type: object.type,
    data: object.data,
    stringData: object.stringData,
    spec: object.spec,
  };
}

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function walk(before: Json, after: Json, path: string, out: string[]): void {
  if (out.length >= MAX_CHANGED_PATHS) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, index) => walk(item, after[index], `${path}[${index}]`, out));
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push(path);
}

/**
 * Leaf paths where the dry-run result differs from the live object ("spec.interval",
 * "data.password"): names only, never values, so Secret fields can be listed safely.
 */
export function changedPaths(live: ApiObject, dryRun: ApiObject): string[] {
  const out: string[] = [];
  walk(comparable(live), comparable(dryRun), "", out);
  return out.map((path) => path.replace(/^labels/, "metadata.labels").replace(/^annotations/, "metadata.annotations"));
}
