import "server-only";
import { maskSecrets, toYaml, type KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { classifyError } from "@/lib/k8s/errors";
import type { ClusterClient, KubeObject } from "@/lib/k8s/client";
import { getLive, resourceInfo } from "./cluster-objects";
import { formatPath, leafDiffs } from "./field-diff";
import { describeRef, inventoryIdOf, parseInventoryId } from "./inventory";
import { FLUX_APPLIER, foreignChanges, type ForeignChange, type ManagedFieldsEntry } from "./managed-fields";
import type { DesiredObject } from "./manifests";

export type ResourceDriftObject = {
  /** "Kind namespace/name" */
  object: string;
  /** drifted: the live object differs from the desired one; create: it is missing; prune: no longer in Git; edited: changed by another field manager. */
  action: "drifted" | "create" | "prune" | "edited" | "error";
  changedPaths: string[];
  foreignChanges: ForeignChange[];
  /** Live and desired (dry-run) object as YAML, metadata noise and status left out, Secret values masked. */
  beforeYaml: string | null;
  afterYaml: string | null;
  message?: string;
};

export type KustomizationDrift = {
  kustomization: string;
  method: "dry-run" | "field-managers";
  /** Why the dry-run method was not used, when it was not. */
  note?: string;
  objects: ResourceDriftObject[];
};

export type KustomizationRef = {
  name: string;
  namespace: string;
  targetNamespace?: string;
  prune: boolean;
  inventory: { id: string; v: string }[];
};

const MAX_OBJECTS = 200;
const NAME_LABEL = "kustomize.toolkit.fluxcd.io/name";
const NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace";
const NOISE_METADATA = ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"];

/** The object as a diff should show it: no server bookkeeping, no status. */
function clean(object: KubeObject): RenderedObject {
  const copy = structuredClone(object) as Record<string, unknown> & { metadata: Record<string, unknown> };
  for (const key of NOISE_METADATA) delete copy.metadata[key];
  delete copy.status;
  return copy as unknown as RenderedObject;
}

const yamlOf = (object: KubeObject): string => toYaml(maskSecrets([clean(object)]));

function changesOf(live: KubeObject | undefined): ForeignChange[] {
  return foreignChanges(live?.metadata.managedFields as ManagedFieldsEntry[] | undefined);
}

class PlacementError extends Error {}

/** Where Flux would put the object: targetNamespace for namespaced kinds, none for cluster-scoped ones, plus its ownership labels. */
async function place(client: ClusterClient, object: DesiredObject, ks: KustomizationRef): Promise<KubeObject> {
  const info = await resourceInfo(client, object.apiVersion, object.kind);
  if (!info) throw new PlacementError(`the cluster does not serve ${object.kind} in ${object.apiVersion}`);
  const copy = structuredClone(object) as KubeObject;
  if (!info.namespaced) delete copy.metadata.namespace;
  else if (ks.targetNamespace) copy.metadata.namespace = ks.targetNamespace;
  else if (!copy.metadata.namespace) throw new PlacementError(`${object.kind}/${object.metadata.name} has no namespace`);
  copy.metadata.labels = { ...copy.metadata.labels, [NAME_LABEL]: ks.name, [NAMESPACE_LABEL]: ks.namespace };
  return copy;
}

function failure(object: string, error: unknown): ResourceDriftObject {
  const message = error instanceof PlacementError ? error.message : classifyError(error).message;
  return { object, action: "error", changedPaths: [], foreignChanges: [], beforeYaml: null, afterYaml: null, message };
}

async function dryRunOne(client: ClusterClient, placed: KubeObject): Promise<ResourceDriftObject | null> {
  const ref = { apiVersion: placed.apiVersion, kind: placed.kind, namespace: placed.metadata.namespace ?? "", name: placed.metadata.name };
  const object = describeRef(ref);
  try {
    const live = await getLive(client, ref);
    // As kustomize-controller applies: server-side, forced, so the result is what Flux would leave on the cluster.
    const result = await client.applyObject(placed, { fieldManager: FLUX_APPLIER, force: true, dryRun: true });
    if (!live) return { object, action: "create", changedPaths: [], foreignChanges: [], beforeYaml: null, afterYaml: yamlOf(result) };
    const paths = leafDiffs(clean(live), clean(result)).map((leaf) => formatPath(leaf.segments));
    const changes = changesOf(live);
    if (paths.length === 0) {
      // Fields Git never sets (a label added by hand) survive the forced apply, so the dry run
      // sees nothing; they are still changes outside Git, and the status row counts them (./definition).
      if (changes.length === 0) return null;
      const fields = [...new Set(changes.flatMap((c) => c.fields))];
      return { object, action: "edited", changedPaths: fields, foreignChanges: changes, beforeYaml: yamlOf(live), afterYaml: null, message: "changed outside Git, in fields Git does not set: Flux leaves them as they are" };
    }
    return { object, action: "drifted", changedPaths: paths, foreignChanges: changes, beforeYaml: yamlOf(live), afterYaml: yamlOf(result) };
  } catch (error) {
    return failure(object, error);
  }
}

/**
 * The way `flux diff kustomization` works: each desired object is applied server-side with
 * dryRun=All as kustomize-controller and the result compared with the live object; inventory
 * entries that are no longer desired would be pruned.
 */
export async function dryRunDrift(client: ClusterClient, ks: KustomizationRef, desired: readonly DesiredObject[]): Promise<KustomizationDrift> {
  const objects: ResourceDriftObject[] = [];
  const desiredIds = new Set<string>();
  for (const object of desired.slice(0, MAX_OBJECTS)) {
    let placed: KubeObject;
    try {
      placed = await place(client, object, ks);
    } catch (error) {
      objects.push(failure(describeRef({ kind: object.kind, namespace: object.metadata.namespace ?? "", name: object.metadata.name }), error));
      continue;
    }
    desiredIds.add(inventoryIdOf(placed));
    const result = await dryRunOne(client, placed);
    if (result) objects.push(result);
  }
  if (ks.prune) {
    for (const entry of ks.inventory) {
      const ref = parseInventoryId(entry);
      if (ref && !desiredIds.has(entry.id)) {
        objects.push({ object: describeRef(ref), action: "prune", changedPaths: [], foreignChanges: [], beforeYaml: null, afterYaml: null, message: "no longer in Git: Flux will delete it" });
      }
    }
  }
  return { kustomization: `${ks.namespace}/${ks.name}`, method: "dry-run", objects };
}

/** Without the desired manifests: inventory objects carrying changes by other field managers since Flux's last apply. */
export async function fieldManagerDrift(client: ClusterClient, ks: KustomizationRef, note: string): Promise<KustomizationDrift> {
  const objects: ResourceDriftObject[] = [];
  for (const entry of ks.inventory.slice(0, MAX_OBJECTS)) {
    const ref = parseInventoryId(entry);
    if (!ref) continue;
    try {
      const live = await getLive(client, ref);
      if (!live) {
        objects.push({ object: describeRef(ref), action: "create", changedPaths: [], foreignChanges: [], beforeYaml: null, afterYaml: null, message: "in the inventory but missing from the cluster" });
        continue;
      }
      const changes = changesOf(live);
      if (changes.length > 0) {
        objects.push({ object: describeRef(ref), action: "edited", changedPaths: [...new Set(changes.flatMap((c) => c.fields))], foreignChanges: changes, beforeYaml: yamlOf(live), afterYaml: null });
      }
    } catch (error) {
      objects.push({ object: describeRef(ref), action: "error", changedPaths: [], foreignChanges: [], beforeYaml: null, afterYaml: null, message: classifyError(error).message });
    }
  }
  return { kustomization: `${ks.namespace}/${ks.name}`, method: "field-managers", note, objects };
}
