// Pure: who owns which fields of a live object, from metadata.managedFields.

export type ManagedFieldsEntry = {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
};

export type PathSegment = string | number;

/** The field manager Flux applies inventory objects with. */
export const FLUX_APPLIER = "kustomize-controller";

// Control-plane writers that touch objects on their own (a Deployment's revision annotation),
// and Flux's own migration manager: their entries are not changes made outside Git.
const SYSTEM_MANAGERS = new Set(["kube-controller-manager", "kube-scheduler", "kube-apiserver", "before-first-apply"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether one fieldsV1 set covers `path`. An empty set `{}` at a key owns everything below
 * it (a scalar, or an atomic map or list); list items are owned with their list, since
 * fieldsV1 names them by key or value, not by index.
 */
function covers(fields: Record<string, unknown>, path: readonly PathSegment[]): boolean {
  let node: Record<string, unknown> = fields;
  for (const segment of path) {
    if (typeof segment === "number") return true;
    const child = node[`f:${segment}`];
    if (!isRecord(child)) return false;
    if (Object.keys(child).length === 0) return true;
    node = child;
  }
  return true;
}

/** The managers whose fields include `path` (status sub-resource entries are left out). */
export function ownersOf(entries: readonly ManagedFieldsEntry[] | undefined, path: readonly PathSegment[]): string[] {
  const owners = (entries ?? []).filter((e) => e.subresource !== "status" && isRecord(e.fieldsV1) && covers(e.fieldsV1, path));
  return [...new Set(owners.map((e) => e.manager ?? "unknown"))];
}

export type ForeignChange = { manager: string; operation: string; time: string | null; fields: string[] };

/**
 * Changes made outside Git on an object Flux applied: entries of other field managers
 * (Update or Apply, not the status sub-resource, not the control plane) written at or after
 * Flux's own last write. Flux force-applies every interval and takes back the fields it sets,
 * so what survives is an edit it has not corrected yet, or a field Git does not set at all.
 */
export function foreignChanges(entries: readonly ManagedFieldsEntry[] | undefined, applier = FLUX_APPLIER): ForeignChange[] {
  const list = entries ?? [];
  const own = list.filter((e) => e.manager === applier).map((e) => Date.parse(e.time ?? ""));
  const appliedAt = own.length > 0 ? Math.max(...own.filter(Number.isFinite), -Infinity) : -Infinity;
  return list
    .filter((e) => e.manager !== applier && e.subresource !== "status" && !SYSTEM_MANAGERS.has(e.manager ?? ""))
    .filter((e) => e.operation === "Update" || e.operation === "Apply")
    .filter((e) => {
      const at = Date.parse(e.time ?? "");
      return !Number.isFinite(at) || at >= appliedAt;
    })
    .map((e) => ({ manager: e.manager ?? "unknown", operation: e.operation ?? "", time: e.time ?? null, fields: ownedPaths(e) }));
}

/** The field paths one entry owns, flattened ("data.message", "metadata.labels.app"); list items stop at their list. */
export function ownedPaths(entry: ManagedFieldsEntry, limit = 50): string[] {
  const out: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, child] of Object.entries(node)) {
      if (out.length >= limit) return;
      if (!key.startsWith("f:")) continue;
      const path = prefix ? `${prefix}.${key.slice(2)}` : key.slice(2);
      const grandchildren = isRecord(child) ? Object.keys(child).filter((k) => k.startsWith("f:")) : [];
      if (grandchildren.length === 0 || !isRecord(child)) out.push(path);
      else walk(child, path);
    }
  };
  if (isRecord(entry.fieldsV1)) walk(entry.fieldsV1, "");
  return out;
}
