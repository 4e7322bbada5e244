import "server-only";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "@/lib/reconcilers/labels";
import { ClusterError, type ClusterClient, type KubeObject } from "@/lib/k8s/client";
import type { FluxStatusObject } from "./derive";
import { FLUX_KIND_INFO } from "./kinds";

/** A live Flux object as listed: what derive reads, plus spec, inventory and managedFields for drift. */
export type LiveFluxObject = KubeObject &
  FluxStatusObject & {
    apiVersion: string;
    spec?: Record<string, unknown> & { suspend?: boolean };
    status?: FluxStatusObject["status"] & { inventory?: { entries?: { id: string; v: string }[] }; history?: FluxHistoryEntry[] };
  };

/** Kustomization history entries and HelmRelease release snapshots share `status.history`. */
export type FluxHistoryEntry = {
  firstReconciled?: string;
  lastReconciledStatus?: string;
  metadata?: { revision?: string };
  /** HelmRelease snapshot: the Helm release's status (deployed, superseded, failed...), chart version and release version. */
  status?: string;
  chartVersion?: string;
  version?: number;
};

export type FluxListing = { objects: LiveFluxObject[]; unservedKinds: Set<string> };

const KINDS = FLUX_KIND_INFO;

export const SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
// Served versions move with Flux upgrades (HelmRelease v2beta1 -> v2), so they are looked up again now and then.
const DISCOVERY_TTL_MS = 10 * 60_000;

type Served = { at: number; versions: Promise<Map<string, string | null>> };
const served = new WeakMap<object, Served>();

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
export function servedVersions(client: ClusterClient): Promise<Map<string, string | null>> {
  const cached = served.get(client.identity);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.versions;
  const versions = discover(client);
  served.set(client.identity, { at: Date.now(), versions });
  // A failed discovery is asked again next time.
  versions.catch(() => served.get(client.identity)?.versions === versions && served.delete(client.identity));
  return versions;
}

async function listKind(client: ClusterClient, base: string, plural: string, namespaces: readonly string[], selector: string | undefined): Promise<KubeObject[]> {
  const query = selector ? { labelSelector: selector } : {};
  try {
    return (await client.list<KubeObject>(`${base}/${plural}`, query)).items;
  } catch (error) {
    // Credentials limited to some namespaces still see the namespaces Fleetline writes to.
    if (!isKind(error, "forbidden") || namespaces.length === 0) throw error;
    const lists = await Promise.all(namespaces.map((ns) => client.list<KubeObject>(`${base}/namespaces/${encodeURIComponent(ns)}/${plural}`, query)));
    return lists.flatMap((list) => list.items);
  }
}

// A failure of one kind's list that says nothing about the cluster as a whole: a CRD whose
// conversion webhook is down (500), API priority and fairness (429), a forbidden kind. The
// connection-level ones (timeout, refused, TLS, 401) still fail the whole observation.
const KIND_LEVEL_FAILURES: ClusterError["kind"][] = ["server", "too-many-requests", "forbidden", "gone", "invalid", "conflict"];

export function isKindLevelFailure(error: unknown): boolean {
  return error instanceof ClusterError && KIND_LEVEL_FAILURES.includes(error.kind);
}

export type FluxKindsListing = FluxListing & { failedKinds: Map<string, string>; forbiddenKinds: Set<string> };

/**
 * One list call per Flux kind (the only Flux lister the observation loop uses): `selector`
 * narrows it (the managed-by label), `served` is the cluster's discovery when the caller has it.
 * A kind whose list fails with a kind-level error is reported in failedKinds, not thrown.
 */
export async function listFluxKinds(client: ClusterClient, options: { namespaces: readonly string[]; served?: ReadonlyMap<string, string>; selector?: string }): Promise<FluxKindsListing> {
  const versions: ReadonlyMap<string, string | null> = options.served ?? (await servedVersions(client));
  const unservedKinds = new Set<string>();
  const failedKinds = new Map<string, string>();
  const forbiddenKinds = new Set<string>();
  const lists = await Promise.all(
    KINDS.map(async ({ kind, group, plural }) => {
      const version = versions.get(group);
      if (!version) {
        unservedKinds.add(kind);
        return [];
      }
      const apiVersion = `${group}/${version}`;
      try {
        const items = await listKind(client, `/apis/${apiVersion}`, plural, options.namespaces, options.selector);
        return items.map((item) => ({ ...item, apiVersion, kind }) as LiveFluxObject);
      } catch (error) {
        if (isKind(error, "not-found")) {
          unservedKinds.add(kind);
          return [];
        }
        if (!isKindLevelFailure(error)) throw error;
        if (isKind(error, "forbidden")) forbiddenKinds.add(kind);
        failedKinds.set(kind, `listing ${plural}.${group} failed: ${(error as ClusterError).message}`);
        return [];
      }
    }),
  );
  return { objects: lists.flat(), unservedKinds, failedKinds, forbiddenKinds };
}

/**
 * Every Flux object Fleetline manages on the cluster (label app.kubernetes.io/managed-by),
 * across the six Flux kinds in the versions the cluster serves. Kinds it does not serve are
 * reported, so a missing Flux reads as such rather than as deleted objects. Any failed kind fails the call.
 */
export async function listManagedFluxObjects(client: ClusterClient, namespaces: readonly string[]): Promise<FluxListing> {
  const listing = await listFluxKinds(client, { namespaces, selector: SELECTOR });
  const failed = [...listing.failedKinds.values()][0];
  if (failed) throw new ClusterError("server", failed);
  return { objects: listing.objects, unservedKinds: listing.unservedKinds };
}

/** The objects of a listing that Fleetline manages. */
export function managedOnly<T extends KubeObject>(objects: readonly T[]): T[] {
  return objects.filter((object) => object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE);
}
