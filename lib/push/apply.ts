import "server-only";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { ClusterError, withRetry, type ClusterClient, type FieldConflict, type KubeObject, type RetryOptions } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/errors";
import { resourcePath } from "@/lib/k8s/resource-path";
import type { Deadline } from "@/lib/k8s/deadline";
import { computePruneSet, configurationSelector, describeRef, isFleetlineOwned, objectPath, PRUNABLE_KINDS, type KindInfo, type ObjectRef } from "@/lib/reconcilers/kinds";
import { configurationIdOf, fieldManagerFor, LEGACY_FIELD_MANAGER } from "@/lib/reconcilers/labels";
import type { ManagedFieldsEntry } from "@/lib/drift/managed-fields";
import { handOverFields } from "./field-handover";

/** The field manager of merge patches that are not a configuration's apply (the verbs: suspend, reconcile requests). */
export const FIELD_MANAGER = LEGACY_FIELD_MANAGER;

export type ClusterStep = { client: ClusterClient; retry: RetryOptions; deadline: Deadline };

/**
 * One object could not be applied (or pruned). Carries the field managers of a 409 and what
 * had been applied before it, so the cluster's row can show both.
 */
export class ObjectFailure extends Error {
  readonly conflicts: FieldConflict[];

  constructor(
    readonly object: string,
    readonly error: unknown,
    readonly applied: readonly string[] = [],
  ) {
    const conflicts = error instanceof ClusterError ? error.conflicts : [];
    super(`${object}: ${conflicts.length > 0 ? conflictText(conflicts) : classifyError(error).message}`);
    this.name = "ObjectFailure";
    this.conflicts = conflicts;
  }
}

function conflictText(conflicts: FieldConflict[]): string {
  const byManager = new Map<string, string[]>();
  for (const { manager, field } of conflicts) byManager.set(manager, [...(byManager.get(manager) ?? []), field]);
  const parts = [...byManager].map(([manager, fields]) => `field manager "${manager}" owns ${fields.join(", ")}`);
  return `conflict: ${parts.join("; ")} (Fleetline forces only objects this configuration created; resolve the conflict or hand the object over)`;
}

// Failures of the connection or the credentials, not of one object: reported without an object name.
const CLUSTER_LEVEL_KINDS = new Set(["tls", "dns", "refused", "unauthorized", "timeout", "network", "too-many-requests"]);

export function isClusterLevel(error: unknown): boolean {
  return error instanceof ClusterError && CLUSTER_LEVEL_KINDS.has(error.kind);
}

export function refOf(object: Pick<RenderedObject, "kind" | "metadata">): ObjectRef {
  return { kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) };
}

async function call<T>(step: ClusterStep, fn: () => Promise<T>): Promise<T> {
  return withRetry(() => {
    step.deadline.check();
    return fn();
  }, step.retry);
}

/** The object is Fleetline's and this configuration's: its managed-by label and its configuration id (label, or the annotation of older pushes). */
function isOwnedBy(live: Pick<KubeObject, "metadata">, configurationId: string): boolean {
  return isFleetlineOwned(live.metadata.labels) && configurationIdOf(live.metadata) === configurationId;
}

/**
 * Hands the fields the shared pre-1.x field manager "fleetline" owns on this object over to
 * the configuration's own manager (field-handover.ts says why a plain apply would not do).
 * Guarded by resourceVersion: a write in between makes the API server answer 409, and the
 * object is read again. Returns whether anything was handed over.
 */
async function handOverLegacyFields(step: ClusterStep, object: RenderedObject, live: KubeObject, manager: string): Promise<boolean> {
  const path = objectPath(refOf(object));
  for (let attempt = 0; ; attempt++) {
    const entries = handOverFields(live.metadata.managedFields as ManagedFieldsEntry[] | undefined, LEGACY_FIELD_MANAGER, manager, new Date());
    if (!entries) return false;
    try {
      await call(step, () =>
        step.client.jsonPatch(path, [
          { op: "replace", path: "/metadata/resourceVersion", value: live.metadata.resourceVersion },
          { op: "replace", path: "/metadata/managedFields", value: entries },
        ]),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ClusterError && error.kind === "conflict") || attempt >= 2) throw error;
      live = await call(step, () => step.client.get<KubeObject>(path));
    }
  }
}

/**
 * Server-side apply as the configuration's own field manager (`fleetline/<configuration id>`),
 * without force first. Only when that conflicts and the live object carries this
 * configuration's id is it re-applied with force, taking back fields someone edited by hand;
 * an object someone else created, or another configuration's, keeps its owners and the
 * conflict is reported. A Namespace is never forced. Fields the legacy shared manager still
 * owns are handed over first, so an object pushed before per-configuration managers neither
 * conflicts nor keeps fields the new version dropped.
 */
export async function applyOwned(step: ClusterStep, object: RenderedObject, { dryRun = false } = {}): Promise<KubeObject> {
  const configurationId = configurationIdOf(object.metadata) ?? "";
  const manager = fieldManagerFor(configurationId);
  const apply = (force: boolean) => call(step, () => step.client.applyObject(object, { fieldManager: manager, force, dryRun }));
  const isConflict = (error: unknown) => error instanceof ClusterError && error.kind === "conflict";
  let applied: KubeObject;
  try {
    applied = await apply(false);
  } catch (error) {
    if (!isConflict(error) || object.kind === "Namespace") throw error;
    const live = await call(step, () => step.client.get<KubeObject>(objectPath(refOf(object))));
    if (!isOwnedBy(live, configurationId)) throw error;
    if (!dryRun && (await handOverLegacyFields(step, object, live, manager))) {
      try {
        return await apply(false);
      } catch (again) {
        if (!isConflict(again)) throw again;
      }
    }
    return apply(true);
  }
  // Applied without a conflict but still shared with the legacy manager: hand over, then apply
  // again so that fields this version no longer sets (now ours alone) are removed.
  if (!dryRun && object.kind !== "Namespace" && isOwnedBy(applied, configurationId) && (await handOverLegacyFields(step, object, applied, manager))) return apply(false);
  return applied;
}

/** Applies the rendered objects in order; the first failure stops the cluster (later objects depend on earlier ones). */
export async function applyObjects(step: ClusterStep, objects: readonly RenderedObject[]): Promise<string[]> {
  const applied: string[] = [];
  for (const object of objects) {
    const name = describeRef(refOf(object));
    try {
      await applyOwned(step, object);
    } catch (error) {
      throw isClusterLevel(error) ? error : new ObjectFailure(name, error, applied);
    }
    applied.push(name);
  }
  return applied;
}

async function listKind(step: ClusterStep, info: KindInfo, selector: string, namespace?: string, configurationId?: string): Promise<ObjectRef[]> {
  const path = resourcePath({ apiVersion: info.apiVersion, plural: info.plural, namespace });
  const list = await call(step, () => step.client.list<KubeObject>(path, { labelSelector: selector }));
  // An object of the same name label but another configuration's id (a deleted configuration's
  // orphan, say) is not this configuration's to prune.
  const mine = list.items.filter((item) => configurationId === undefined || (configurationIdOf(item.metadata) ?? configurationId) === configurationId);
  return mine.map((item) => refOf({ kind: info.kind, metadata: item.metadata }));
}

/**
 * Every object of the configuration on the cluster: listed cluster-wide, so objects left in a
 * namespace the configuration moved away from are found too; where Fleetline may only list
 * within namespaces, within `namespaces`. Kinds the cluster does not serve are skipped.
 */
export async function listManaged(step: ClusterStep, configurationName: string, namespaces: readonly string[], configurationId?: string): Promise<ObjectRef[]> {
  const selector = configurationSelector(configurationName);
  const found: ObjectRef[] = [];
  for (const info of PRUNABLE_KINDS) {
    try {
      found.push(...(await listKind(step, info, selector, undefined, configurationId)));
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      if (error.kind === "not-found") continue;
      if (error.kind !== "forbidden") throw error;
      for (const namespace of namespaces) found.push(...(await listKind(step, info, selector, namespace, configurationId)));
    }
  }
  return found;
}

function namespacesOf(objects: readonly RenderedObject[]): string[] {
  return [...new Set(objects.flatMap((object) => (object.metadata.namespace ? [object.metadata.namespace] : [])))];
}

/** What the cluster holds of the configuration that the rendered version no longer contains. */
export async function findDropped(step: ClusterStep, configurationName: string, rendered: readonly RenderedObject[]): Promise<ObjectRef[]> {
  const configurationId = rendered.map((object) => configurationIdOf(object.metadata)).find((id) => id !== undefined);
  return computePruneSet(await listManaged(step, configurationName, namespacesOf(rendered), configurationId), rendered.map(refOf));
}

/** "Kind namespace/name" (describeRef) back into a reference; undefined for anything else. */
export function parseRef(text: string): ObjectRef | undefined {
  const match = /^(\S+) (?:([^/\s]+)\/)?([^/\s]+)$/.exec(text);
  if (!match) return undefined;
  return { kind: match[1]!, name: match[3]!, ...(match[2] ? { namespace: match[2] } : {}) };
}

/**
 * Deletes what the new version dropped; returns what was deleted. `known`: what the cluster
 * holds of the configuration, as the last push that reached it recorded (its objects, all
 * applied and its own prune done): the dropped objects follow from it without listing every
 * kind. Without it, the cluster is asked.
 */
export async function pruneDropped(step: ClusterStep, configurationName: string, rendered: readonly RenderedObject[], known?: readonly string[]): Promise<string[]> {
  const deleted: string[] = [];
  const knownRefs = known?.map(parseRef);
  const dropped =
    knownRefs && knownRefs.every((ref) => ref !== undefined)
      ? computePruneSet(knownRefs as ObjectRef[], rendered.map(refOf))
      : await findDropped(step, configurationName, rendered);
  for (const ref of dropped) {
    try {
      await call(step, () => step.client.delete(objectPath(ref), { propagationPolicy: "Background" }));
    } catch (error) {
      if (isClusterLevel(error)) throw error;
      if (!(error instanceof ClusterError && error.kind === "not-found")) throw new ObjectFailure(`pruning ${describeRef(ref)}`, error);
    }
    deleted.push(describeRef(ref));
  }
  return deleted;
}
