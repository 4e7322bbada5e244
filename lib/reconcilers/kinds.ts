import { APPLICATION_API_VERSION } from "@/lib/reconcilers/argo/metadata";
import { CONFIGURATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "./labels";
import { SOURCE_API_VERSION } from "@/lib/reconcilers/flux/sources";
import { HELM_RELEASE_API_VERSION, KUSTOMIZATION_API_VERSION } from "@/lib/reconcilers/flux/workloads";
import { resourcePath } from "@/lib/k8s/resource-path";

/** Pure: the kinds Fleetline writes, how to address them, and which of them a push may prune. */

export type KindInfo = { kind: string; apiVersion: string; plural: string; namespaced: boolean };

// Deletion order: workloads before the source they read, sources before their Secret. Argo CD
// Applications are listed too, so a cluster whose reconciler changed loses the other one's objects.
export const PRUNABLE_KINDS: readonly KindInfo[] = [
  { kind: "Application", apiVersion: APPLICATION_API_VERSION, plural: "applications", namespaced: true },
  { kind: "HelmRelease", apiVersion: HELM_RELEASE_API_VERSION, plural: "helmreleases", namespaced: true },
  { kind: "Kustomization", apiVersion: KUSTOMIZATION_API_VERSION, plural: "kustomizations", namespaced: true },
  { kind: "GitRepository", apiVersion: SOURCE_API_VERSION, plural: "gitrepositories", namespaced: true },
  { kind: "OCIRepository", apiVersion: SOURCE_API_VERSION, plural: "ocirepositories", namespaced: true },
  { kind: "Bucket", apiVersion: SOURCE_API_VERSION, plural: "buckets", namespaced: true },
  { kind: "HelmRepository", apiVersion: SOURCE_API_VERSION, plural: "helmrepositories", namespaced: true },
  { kind: "Secret", apiVersion: "v1", plural: "secrets", namespaced: true },
];

// A Namespace is applied but never pruned: it may hold far more than Fleetline put there.
const KINDS = new Map<string, KindInfo>([
  ...PRUNABLE_KINDS.map((info) => [info.kind, info] as const),
  ["Namespace", { kind: "Namespace", apiVersion: "v1", plural: "namespaces", namespaced: false }],
]);

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
  const order = (ref: ObjectRef) => PRUNABLE_KINDS.findIndex((info) => info.kind === ref.kind);
  return live
    .filter((ref) => order(ref) !== -1 && !keep.has(describeRef(ref)))
    .sort((a, b) => order(a) - order(b) || describeRef(a).localeCompare(describeRef(b)));
}
