import type { ConfigDriftEntry } from "@/db/schema-status";
import { maskSecrets, SECRET_MASK, toYaml, type KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { comparable } from "@/lib/push/diff";
import { formatPath, leafDiffs, type FieldDiff } from "./field-diff";
import { isFleetlineManager, LEGACY_FIELD_MANAGER } from "@/lib/reconcilers/labels";
import { ownersOf, type ManagedFieldsEntry, type PathSegment } from "./managed-fields";

/**
 * Pure: configuration drift, the Flux objects on a cluster against what Fleetline pushed,
 * field by field. Values of Secrets are never compared or shown (both sides are masked), so
 * a Secret drifts only by its keys, type, labels or annotations.
 */

export type LiveObject = {
  apiVersion?: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
    deletionTimestamp?: string;
  };
  type?: string;
  data?: Record<string, string>;
  spec?: unknown;
};

export type ObjectDrift = {
  /** "Kind namespace/name" */
  object: string;
  kind: string;
  namespace: string;
  name: string;
  change: ConfigDriftEntry["change"];
  fields: FieldDiff[];
  /** Both sides as YAML for a side-by-side view, Secret values masked. */
  liveYaml: string | null;
  desiredYaml: string | null;
};

/** The verbs' field manager (lib/push/apply.ts); a push applies as `fleetline/<configuration id>` (isFleetlineManager covers both). */
export const FIELD_MANAGER = LEGACY_FIELD_MANAGER;
const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

export function describeObject(object: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;
}

/** What a push sets, with the differences that mean nothing taken out. */
function normalized(object: LiveObject | RenderedObject): Record<string, unknown> {
  const base = comparable(object as Parameters<typeof comparable>[0]);
  const annotations = { ...(base.annotations as Record<string, string>) };
  // A reconcile request is an operation, not configuration.
  delete annotations[REQUESTED_AT];
  const out: Record<string, unknown> = { ...base, annotations };
  const spec = base.spec;
  // Flux reads only `suspend: true`: an absent field and `false` mean the same.
  if (typeof spec === "object" && spec !== null && (spec as { suspend?: unknown }).suspend === false) {
    const rest = { ...(spec as Record<string, unknown>) };
    delete rest.suspend;
    out.spec = rest;
  }
  if (object.kind === "Secret") {
    for (const field of ["data", "stringData"] as const) {
      const values = base[field];
      if (values && typeof values === "object") out[field] = Object.fromEntries(Object.keys(values).map((key) => [key, SECRET_MASK]));
    }
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** comparable() lifts labels and annotations out of metadata; put them back for managedFields and display. */
function objectPath(segments: readonly PathSegment[]): PathSegment[] {
  const [first, ...rest] = segments;
  return first === "labels" || first === "annotations" ? ["metadata", first, ...rest] : [...segments];
}

function isDrift(segments: PathSegment[], desired: unknown, live: LiveObject): boolean {
  const owners = ownersOf(live.metadata.managedFields, segments);
  // Only on the cluster: a default the API server filled in has no owner; a field someone added has one.
  if (desired === undefined) return owners.some((owner) => !isFleetlineManager(owner));
  // Suspend and resume are Fleetline's own patches (field manager fleetline), not drift.
  const isSuspend = segments.length === 2 && segments[0] === "spec" && segments[1] === "suspend";
  return !(isSuspend && owners.length > 0 && owners.every(isFleetlineManager));
}

function cleanLive(live: LiveObject): RenderedObject {
  const { name, namespace, labels, annotations } = live.metadata;
  return {
    apiVersion: live.apiVersion ?? "",
    kind: live.kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    ...(live.type !== undefined ? { type: live.type } : {}),
    ...(live.data !== undefined ? { data: live.data } : {}),
    ...(live.spec !== undefined ? { spec: live.spec as RenderedObject["spec"] } : {}),
  };
}

const yamlOf = (object: RenderedObject): string => toYaml(maskSecrets([object]));

/** One rendered object against its live counterpart; null when they match. */
export function diffObject(rendered: RenderedObject, live: LiveObject | undefined): ObjectDrift | null {
  const base = { object: describeObject(rendered), kind: rendered.kind, namespace: rendered.metadata.namespace ?? "", name: rendered.metadata.name };
  if (!live) return { ...base, change: "missing", fields: [], liveYaml: null, desiredYaml: yamlOf(rendered) };
  const desiredView = normalized(rendered);
  const fields = leafDiffs(normalized(live), desiredView)
    .map((leaf) => ({ ...leaf, segments: objectPath(leaf.segments) }))
    .filter((leaf) => isDrift(leaf.segments, leaf.desired, live))
    .map((leaf) => ({ path: formatPath(leaf.segments), live: leaf.live, desired: leaf.desired }));
  if (fields.length === 0) return null;
  return { ...base, change: "changed", fields, liveYaml: yamlOf(cleanLive(live)), desiredYaml: yamlOf(rendered) };
}

const keyOf = (o: { kind: string; metadata: { name: string; namespace?: string } }) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

// Rendered versions are kept (lib/status/expected.ts) and the watch cache keeps each live object
// until an event replaces it: a pass over a fleet at rest compares the same two objects again,
// which was a tenth of the loop's CPU (bench:fleet, 2,000 clusters). Each pair is compared once.
const compared = new WeakMap<RenderedObject, WeakMap<LiveObject, ObjectDrift | null>>();
const missing = new WeakMap<RenderedObject, ObjectDrift | null>();

function diffOnce(rendered: RenderedObject, live: LiveObject | undefined): ObjectDrift | null {
  if (!live) {
    if (!missing.has(rendered)) missing.set(rendered, diffObject(rendered, undefined));
    return missing.get(rendered)!;
  }
  let byLive = compared.get(rendered);
  if (!byLive) compared.set(rendered, (byLive = new WeakMap()));
  if (!byLive.has(live)) byLive.set(live, diffObject(rendered, live));
  return byLive.get(live)!;
}

/**
 * Every rendered object against the live ones (`kinds` limits the comparison to the kinds
 * that were read), plus live objects of the configuration the pushed version does not have.
 */
export function configurationDrift(rendered: readonly RenderedObject[], live: readonly LiveObject[], kinds?: ReadonlySet<string>): ObjectDrift[] {
  const liveByKey = new Map(live.map((o) => [keyOf(o), o]));
  const renderedKeys = new Set(rendered.map(keyOf));
  const drifts = rendered.filter((o) => !kinds || kinds.has(o.kind)).flatMap((o) => diffOnce(o, liveByKey.get(keyOf(o))) ?? []);
  for (const object of live) {
    // Objects being deleted (a pruned Kustomization waiting on its finalizer) are on their way out.
    if (renderedKeys.has(keyOf(object)) || object.metadata.deletionTimestamp) continue;
    drifts.push({ object: describeObject(object), kind: object.kind, namespace: object.metadata.namespace ?? "", name: object.metadata.name, change: "extra", fields: [], liveYaml: yamlOf(cleanLive(object)), desiredYaml: null });
  }
  return drifts;
}

/** Names and paths only, for the status row: no values are stored. */
export function summarizeDrift(drifts: readonly ObjectDrift[]): ConfigDriftEntry[] {
  return drifts.map((d) => ({ object: d.object, change: d.change, paths: d.fields.map((f) => f.path) }));
}
