import "server-only";
import { ClusterError, type ClusterClient, type KubeObject } from "@/lib/k8s/client";
import { groupVersionPath, resourcePath } from "@/lib/k8s/resource-path";
import { WeakPool } from "@/lib/weak-pool";
import { describeRef, inventoryIdOf, parseInventoryId, type InventoryRef } from "./inventory";
import { foreignChanges, type ForeignChange, type ManagedFieldsEntry } from "./managed-fields";

// Reading the objects in Kustomization inventories: any kind, so resource names come from discovery.

export type ResourceInfo = Readonly<{ plural: string; namespaced: boolean }>;

const DISCOVERY_TTL_MS = 10 * 60_000;
const discovery = new WeakMap<ClusterClient, Map<string, { at: number; resources: Promise<ReadonlyMap<string, ResourceInfo>> }>>();

function isKind(error: unknown, ...kinds: ClusterError["kind"][]): boolean {
  return error instanceof ClusterError && kinds.includes(error.kind);
}

// Clusters of one Kubernetes version serve the same group/versions: one copy of each document's
// kinds for all of them (the core group's 17 kinds, about 1.2 KiB a cluster held by the loop).
const documents = new WeakPool<ReadonlyMap<string, ResourceInfo>>();

function sharedResources(entries: (readonly [string, ResourceInfo])[]): ReadonlyMap<string, ResourceInfo> {
  return documents.one(JSON.stringify(entries), new Map(entries));
}

/** The plural and scope of a kind, from the group/version's discovery document (cached per client). */
export async function resourceInfo(client: ClusterClient, apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
  const perClient = discovery.get(client) ?? new Map<string, { at: number; resources: Promise<ReadonlyMap<string, ResourceInfo>> }>();
  discovery.set(client, perClient);
  let cached = perClient.get(apiVersion);
  if (!cached || Date.now() - cached.at > DISCOVERY_TTL_MS) {
    const resources = client.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(groupVersionPath(apiVersion)).then(
      (doc) => sharedResources(doc.resources.filter((r) => !r.name.includes("/")).map((r) => [r.kind, Object.freeze({ plural: r.name, namespaced: r.namespaced === true })] as const)),
      (error: unknown) => {
        if (isKind(error, "not-found")) return new Map<string, ResourceInfo>() as ReadonlyMap<string, ResourceInfo>;
        throw error;
      },
    );
    cached = { at: Date.now(), resources };
    perClient.set(apiVersion, cached);
    resources.catch(() => perClient.get(apiVersion) === cached && perClient.delete(apiVersion));
  }
  return (await cached.resources).get(kind);
}

async function pathOf(client: ClusterClient, ref: Pick<InventoryRef, "apiVersion" | "kind" | "namespace"> & { name?: string }): Promise<string | undefined> {
  const info = await resourceInfo(client, ref.apiVersion, ref.kind);
  if (!info) return undefined;
  const namespace = info.namespaced ? ref.namespace || "default" : undefined;
  return resourcePath({ apiVersion: ref.apiVersion, plural: info.plural, namespace, ...(ref.name ? { name: ref.name } : {}) });
}

/** The live object, or undefined when it does not exist (or its kind is not served). */
export async function getLive(client: ClusterClient, ref: Pick<InventoryRef, "apiVersion" | "kind" | "namespace" | "name">): Promise<KubeObject | undefined> {
  const path = await pathOf(client, ref);
  if (!path) return undefined;
  try {
    return await client.get<KubeObject>(path);
  } catch (error) {
    if (isKind(error, "not-found")) return undefined;
    throw error;
  }
}

export type InventoryOwner = { kustomization: string; namespace: string; entries: { id: string; v: string }[] };
export type ForeignEdit = { object: string; ref: InventoryRef; changes: ForeignChange[] };

const NAME_LABEL = "kustomize.toolkit.fluxcd.io/name";

/**
 * The inventory objects that field managers other than kustomize-controller changed after
 * Flux's last apply. One list per kind (selected by Flux's ownership label) instead of one
 * request per object; where listing a kind is forbidden, its objects are read one by one.
 * At most `maxObjects` objects are examined.
 */
export async function findForeignEdits(client: ClusterClient, owners: readonly InventoryOwner[], maxObjects = 500): Promise<ForeignEdit[]> {
  const refs = owners.flatMap((o) => o.entries.flatMap((e) => parseInventoryId(e) ?? [])).slice(0, maxObjects);
  const wanted = new Set(refs.map((r) => r.id));
  const names = [...new Set(owners.map((o) => o.kustomization))];
  const byKind = new Map<string, InventoryRef[]>();
  for (const ref of refs) byKind.set(`${ref.apiVersion}|${ref.kind}`, [...(byKind.get(`${ref.apiVersion}|${ref.kind}`) ?? []), ref]);
  const found: KubeObject[] = [];
  for (const group of byKind.values()) {
    const first = group[0]!;
    const info = await resourceInfo(client, first.apiVersion, first.kind);
    if (!info) continue;
    try {
      const path = resourcePath({ apiVersion: first.apiVersion, plural: info.plural });
      const list = await client.list<KubeObject>(path, { labelSelector: `${NAME_LABEL} in (${names.join(",")})` });
      found.push(...list.items.map((item) => ({ ...item, apiVersion: first.apiVersion, kind: first.kind })));
    } catch (error) {
      if (!isKind(error, "forbidden")) throw error;
      for (const ref of group) {
        const live = await getLive(client, ref).catch(() => undefined);
        if (live) found.push({ ...live, apiVersion: ref.apiVersion, kind: ref.kind });
      }
    }
  }
  return found.flatMap((object) => {
    const id = inventoryIdOf(object);
    if (!wanted.has(id)) return [];
    // The one definition of resource drift (./definition): changes outside Git by other field managers.
    const changes = foreignChanges(object.metadata.managedFields as ManagedFieldsEntry[] | undefined);
    const ref = parseInventoryId({ id, v: object.apiVersion.split("/").pop() ?? "" })!;
    return changes.length > 0 ? [{ object: describeRef(ref), ref, changes }] : [];
  });
}
