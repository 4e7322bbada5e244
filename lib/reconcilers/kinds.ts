import { APPLICATION_API_VERSION } from "@/lib/reconcilers/argo/metadata";
import { CONFIGURATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "./labels";
import { SOURCE_API_VERSION } from "@/lib/reconcilers/flux/sources";
import { HELM_RELEASE_API_VERSION, KUSTOMIZATION_API_VERSION } from "@/lib/reconcilers/flux/workloads";
import { NOTIFICATION_API_VERSION } from "@/lib/reconcilers/flux/notifications";
import { RBAC_API_VERSION } from "@/lib/reconcilers/flux/tenancy";
import { resourcePath } from "@/lib/k8s/resource-path";
import type { Reconciler } from "@/db/schema";

/**
 * Pure: the one catalogue of kinds Fleetline writes or reads, used by discovery and listing
 * (the observation loop), prune (a push), cleanup (deleting a configuration or a cluster) and
 * the verbs. Versions here are the ones Fleetline writes; discovery finds the one a cluster serves.
 */

export type KindInfo = {
  kind: string;
  /** The API group ("" for the core group). */
  group: string;
  /** The version Fleetline renders and addresses objects with. */
  apiVersion: string;
  plural: string;
  namespaced: boolean;
  /** The reconciler whose kind this is (null: plain Kubernetes). */
  reconciler: Reconciler | null;
  /** Has a reconciler status to observe (Ready conditions, sync state). */
  observed: boolean;
  /**
   * Position in deletion order (lower first), or null when never pruned. Workloads before the
   * source they read, sources before their Secret. A Namespace is applied but never pruned: it
   * may hold far more than Fleetline put there.
   */
  pruneOrder: number | null;
};

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "");
const entry = (info: Omit<KindInfo, "group">): KindInfo => ({ ...info, group: groupOf(info.apiVersion) });

export const KIND_CATALOGUE: readonly KindInfo[] = [
  // Argo CD Applications come first in prune order, so a cluster whose reconciler changed loses the other one's objects.
  entry({ kind: "Application", apiVersion: APPLICATION_API_VERSION, plural: "applications", namespaced: true, reconciler: "argocd", observed: true, pruneOrder: 0 }),
  // Flux's notification objects have no status in v1beta3: pushed and pruned, never observed. An
  // Alert goes before the Provider it names, and the Provider before the Secret it reads.
  entry({ kind: "Alert", apiVersion: NOTIFICATION_API_VERSION, plural: "alerts", namespaced: true, reconciler: "flux", observed: false, pruneOrder: 1 }),
  entry({ kind: "Provider", apiVersion: NOTIFICATION_API_VERSION, plural: "providers", namespaced: true, reconciler: "flux", observed: false, pruneOrder: 2 }),
  entry({ kind: "HelmRelease", apiVersion: HELM_RELEASE_API_VERSION, plural: "helmreleases", namespaced: true, reconciler: "flux", observed: true, pruneOrder: 3 }),
  entry({ kind: "Kustomization", apiVersion: KUSTOMIZATION_API_VERSION, plural: "kustomizations", namespaced: true, reconciler: "flux", observed: true, pruneOrder: 4 }),
  entry({ kind: "GitRepository", apiVersion: SOURCE_API_VERSION, plural: "gitrepositories", namespaced: true, reconciler: "flux", observed: true, pruneOrder: 5 }),
  entry({ kind: "OCIRepository", apiVersion: SOURCE_API_VERSION, plural: "ocirepositories", namespaced: true, reconciler: "flux", observed: true, pruneOrder: 6 }),
  entry({ kind: "Bucket", apiVersion: SOURCE_API_VERSION, plural: "buckets", namespaced: true, reconciler: "flux", observed: true, pruneOrder: 7 }),
  entry({ kind: "HelmRepository", apiVersion: SOURCE_API_VERSION, plural: "helmrepositories", namespaced: true, reconciler: "flux", observed: true, pruneOrder: 8 }),
  entry({ kind: "Secret", apiVersion: "v1", plural: "secrets", namespaced: true, reconciler: null, observed: false, pruneOrder: 9 }),
  // A namespace-scoped configuration's tenant account: removed after the workloads that apply as it.
  entry({ kind: "RoleBinding", apiVersion: RBAC_API_VERSION, plural: "rolebindings", namespaced: true, reconciler: null, observed: false, pruneOrder: 10 }),
  entry({ kind: "ServiceAccount", apiVersion: "v1", plural: "serviceaccounts", namespaced: true, reconciler: null, observed: false, pruneOrder: 11 }),
  entry({ kind: "Namespace", apiVersion: "v1", plural: "namespaces", namespaced: false, reconciler: null, observed: false, pruneOrder: null }),
];

/** What a push may prune and a cleanup deletes, in deletion order. */
export const PRUNABLE_KINDS: readonly KindInfo[] = KIND_CATALOGUE.filter((info) => info.pruneOrder !== null).sort((a, b) => (a.pruneOrder ?? 0) - (b.pruneOrder ?? 0));

/** The kinds of one reconciler that carry a status to observe, in catalogue order. */
export function observedKinds(reconciler: Reconciler): readonly KindInfo[] {
  return KIND_CATALOGUE.filter((info) => info.reconciler === reconciler && info.observed);
}

const KINDS = new Map<string, KindInfo>(KIND_CATALOGUE.map((info) => [info.kind, info] as const));

/** The catalogue entry of a kind, or undefined for a kind Fleetline neither writes nor observes. */
export function findKind(kind: string): KindInfo | undefined {
  return KINDS.get(kind);
}

/** A kind of that reconciler with a status to observe (a Flux source or workload, an Argo CD Application). */
export function isObservedKindOf(reconciler: Reconciler, kind: string): boolean {
  const info = KINDS.get(kind);
  return info !== undefined && info.reconciler === reconciler && info.observed;
}

export type ObjectRef = { kind: string; namespace?: string; name: string };

export function kindInfo(kind: string): KindInfo {
  const info = KINDS.get(kind);
  if (!info) throw new RangeError(`Fleetline does not write objects of kind ${kind}`);
  return info;
}

export function objectPath(ref: ObjectRef): string {
  const info = kindInfo(ref.kind);
  return resourcePath({ apiVersion: info.apiVersion, plural: info.plural, namespace: info.namespaced ? ref.namespace : undefined, name: ref.name });
}

/** "Kind namespace/name" (or "Kind name" when cluster-scoped): how objects are named in rows and messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** The label selector for every object of one configuration that Fleetline manages. */
export function configurationSelector(configurationName: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${CONFIGURATION_LABEL}=${configurationName}`;
}

export function isFleetlineOwned(labels: Record<string, string> | undefined): boolean {
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/**
 * What to delete after a push: objects of the configuration found on the cluster that the
 * rendered version no longer contains (a dropped Kustomization, the Secret of a removed
 * credential, a source whose kind or namespace changed), in deletion order.
 */
export function computePruneSet(live: readonly ObjectRef[], rendered: readonly ObjectRef[]): ObjectRef[] {
  const keep = new Set(rendered.map(describeRef));
  const order = (ref: ObjectRef) => KINDS.get(ref.kind)?.pruneOrder ?? -1;
  return live
    .filter((ref) => order(ref) !== -1 && !keep.has(describeRef(ref)))
    .sort((a, b) => order(a) - order(b) || describeRef(a).localeCompare(describeRef(b)));
}
