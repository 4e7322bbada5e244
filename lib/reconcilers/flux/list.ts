import "server-only";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "@/lib/reconcilers/labels";
import { ClusterError, type ClusterClient, type KubeObject } from "@/lib/k8s/client";
import type { FluxStatusObject } from "./derive";
import type { FLUX_KINDS } from "@/lib/status/expected";

/** A live Flux object as listed: what derive reads, plus spec, inventory and managedFields for drift. */
export type LiveFluxObject = KubeObject &
  FluxStatusObject & {
    apiVersion: string;
    spec?: Record<string, unknown> & { suspend?: boolean };
    status?: FluxStatusObject["status"] & { inventory?: { entries?: { id: string; v: string }[] }; history?: { firstReconciled?: string; lastReconciledStatus?: string; metadata?: { revision?: string } }[] };
  };

export type FluxListing = { objects: LiveFluxObject[]; unservedKinds: Set<string> };

const KINDS: { kind: (typeof FLUX_KINDS)[number]; group: string; plural: string }[] = [
  { kind: "GitRepository", group: "source.toolkit.fluxcd.io", plural: "gitrepositories" },
  { kind: "OCIRepository", group: "source.toolkit.fluxcd.io", plural: "ocirepositories" },
  { kind: "Bucket", group: "source.toolkit.fluxcd.io", plural: "buckets" },
  { kind: "HelmRepository", group: "source.toolkit.fluxcd.io", plural: "helmrepositories" },
  { kind: "Kustomization", group: "kustomize.toolkit.fluxcd.io", plural: "kustomizations" },
  { kind: "HelmRelease", group: "helm.toolkit.fluxcd.io", plural: "helmreleases" },
];

const SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
// Served versions move with Flux upgrades (HelmRelease v2beta1 -> v2), so they are looked up again now and then.
const DISCOVERY_TTL_MS = 10 * 60_000;

type Served = { at: number; versions: Promise<Map<string, string | null>> };
const served = new WeakMap<ClusterClient, Served>();

function isKind(error: unknown, ...kinds: ClusterError["kind"][]): boolean {
  return error instanceof ClusterError && kinds.includes(error.kind);
}

async function discover(client: ClusterClient): Promise<Map<string, string | null>> {
  const groups = [...new Set(KINDS.map((k) => k.group))];
  const entries = await Promise.all(
    groups.map(async (group) => {
      try {
        const doc = await client.get<{ preferredVersion?: { version?: string } }>(`/apis/${group}`);
        return [group, doc.preferredVersion?.version ?? null] as const;
      } catch (error) {
        if (isKind(error, "not-found")) return [group, null] as const;
        throw error;
      }
    }),
  );
  return new Map(entries);
}

/** The preferred version of each Flux group, discovered once per client and kept for a while. */
function servedVersions(client: ClusterClient): Promise<Map<string, string | null>> {
  const cached = served.get(client);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.versions;
  const versions = discover(client);
  served.set(client, { at: Date.now(), versions });
  // A failed discovery is asked again next time.
  versions.catch(() => served.get(client)?.versions === versions && served.delete(client));
  return versions;
}

async function listKind(client: ClusterClient, base: string, plural: string, namespaces: readonly string[]): Promise<KubeObject[]> {
  try {
    return (await client.list<KubeObject>(`${base}/${plural}`, { labelSelector: SELECTOR })).items;
  } catch (error) {
    // Credentials limited to some namespaces still see the namespaces Fleetline writes to.
    if (!isKind(error, "forbidden")) throw error;
    const lists = await Promise.all(namespaces.map((ns) => client.list<KubeObject>(`${base}/namespaces/${encodeURIComponent(ns)}/${plural}`, { labelSelector: SELECTOR })));
    return lists.flatMap((list) => list.items);
  }
}

/**
 * Every Flux object Fleetline manages on the cluster (label app.kubernetes.io/managed-by),
 * across the six Flux kinds in the versions the cluster serves. Kinds it does not serve are
 * reported, so a missing Flux reads as such rather than as deleted objects.
 */
export async function listManagedFluxObjects(client: ClusterClient, namespaces: readonly string[]): Promise<FluxListing> {
  const versions = await servedVersions(client);
  const unservedKinds = new Set<string>();
  const lists = await Promise.all(
    KINDS.map(async ({ kind, group, plural }) => {
      const version = versions.get(group);
      if (!version) {
        unservedKinds.add(kind);
        return [];
      }
      const apiVersion = `${group}/${version}`;
      try {
        const items = await listKind(client, `/apis/${apiVersion}`, plural, namespaces);
        return items.map((item) => ({ ...item, apiVersion, kind }) as LiveFluxObject);
      } catch (error) {
        if (!isKind(error, "not-found")) throw error;
        unservedKinds.add(kind);
        return [];
      }
    }),
  );
  return { objects: lists.flat(), unservedKinds };
}
