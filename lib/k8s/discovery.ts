import "server-only";
import type { ClusterClient, KubeObject } from "./client";
import { FLUX_KIND_INFO } from "@/lib/reconcilers/flux/kinds";
import { listFluxKinds, type FluxKindsListing } from "@/lib/reconcilers/flux/list";
import { objectReadiness } from "@/lib/reconcilers/flux/derive";
import { ARGO_NAMESPACE } from "@/lib/reconcilers/argo/metadata";
import { ClusterError } from "./errors";

export { classifyError } from "./errors";

export type FluxObjectCounts = { kind: string; ready: number; notReady: number; unknown: number };

/** One Flux object as the inventory shows it: enough to answer "is it healthy, and whose is it?". */
export type FluxObjectSummary = {
  kind: string;
  namespace: string;
  name: string;
  ready: "True" | "False" | "Unknown";
  reason: string | null;
  message: string | null;
  revision: string | null;
  isSuspended: boolean;
  /** The fleetline.io/configuration label, when Fleetline manages the object. */
  configuration: string | null;
};

export type ClusterProbe = {
  /** gitVersion, e.g. v1.20.2 */
  kubernetesVersion: string;
  latencyMs: number;
  /** null when the credentials may not list nodes */
  nodeCount: number | null;
  flux: { installed: boolean; version: string | null; controllers: { name: string; ready: boolean }[] };
  argo: { installed: boolean; version: string | null; controllers: { name: string; ready: boolean }[] };
  fluxObjects: FluxObjectCounts[];
  fluxObjectList: FluxObjectSummary[];
  /** Reads these credentials may not make, e.g. "403 Forbidden: list nodes". */
  forbidden: string[];
  /** The one listing of the Flux kinds (every object, managed or not) the status rows are derived from too; null without Flux. */
  fluxListing: FluxKindsListing | null;
  /** API groups of installed reconcilers (their CRDs or discovery), for detection. */
  installedGroups: Set<string>;
  /** Kinds whose list failed (500, 429) with the reason: reported on the kind, the cluster stays reachable. */
  failedKinds: Map<string, string>;
};

type Crd = "gitrepositories.source.toolkit.fluxcd.io" | "applications.argoproj.io";

// The Flux kinds the portal reports on come from the one kind catalogue; versions come from
// discovery because they moved (HelmRelease v2beta1 -> v2, OCIRepository v1beta2 -> v1).
const FLUX_KINDS = FLUX_KIND_INFO;

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type StatusObject = KubeObject & {
  spec?: { suspend?: boolean };
  status?: { observedGeneration?: number; conditions?: Condition[]; artifact?: { revision?: string }; lastAppliedRevision?: string };
};
type Workload = KubeObject & {
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { readyReplicas?: number };
};

/**
 * What a cluster runs, for the registration page and the inventory sweep. Only the
 * version call must succeed (it proves reachability and credentials); every other
 * part degrades to "unknown" values when forbidden or absent.
 */
export async function probeCluster(client: ClusterClient, options: { namespaces?: readonly string[] } = {}): Promise<ClusterProbe> {
  const started = performance.now();
  const version = await client.version();
  const latencyMs = Math.round(performance.now() - started);

  const forbidden: string[] = [];
  const probe: Probe = { client, forbidden };
  const [nodeCount, fluxCrd, argoInstalled] = await Promise.all([
    tolerate(probe, countNodes(client), null, "list nodes"),
    crdState(probe, "gitrepositories.source.toolkit.fluxcd.io", "/apis/source.toolkit.fluxcd.io"),
    crdState(probe, "applications.argoproj.io", "/apis/argoproj.io").then((state) => state.installed),
  ]);
  const [controllers, fluxListing, argo] = await Promise.all([
    fluxCrd.installed ? fluxControllers(probe) : [],
    fluxCrd.installed ? listFluxObjects(probe, options.namespaces ?? []) : null,
    argoInstalled ? argoState(probe) : { version: null, controllers: [] },
  ]);
  const failedKinds = new Map([...(fluxListing?.failedKinds ?? [])].filter(([kind]) => !fluxListing?.forbiddenKinds.has(kind)));
  const fluxObjectList = (fluxListing?.objects ?? []).map((item) => summarize(item.kind, item));
  const served = FLUX_KINDS.map((k) => k.kind).filter((kind) => fluxListing && !fluxListing.unservedKinds.has(kind) && !fluxListing.failedKinds.has(kind));
  return {
    kubernetesVersion: version.gitVersion,
    latencyMs,
    nodeCount,
    flux: { installed: fluxCrd.installed, version: fluxCrd.version, controllers },
    argo: { installed: argoInstalled, ...argo },
    fluxObjects: served.map((kind) => countByReadiness(kind, fluxObjectList.filter((o) => o.kind === kind))),
    fluxObjectList,
    forbidden,
    fluxListing,
    failedKinds,
    installedGroups: new Set([...(fluxCrd.installed ? ["source.toolkit.fluxcd.io"] : []), ...(argoInstalled ? ["argoproj.io"] : [])]),
  };
}

/** A one-item page says how many remain: the total without transferring every Node. */
async function countNodes(client: ClusterClient): Promise<number> {
  const page = await client.get<{ items: unknown[]; metadata: { remainingItemCount?: number } }>("/api/v1/nodes?limit=1");
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

/**
 * Reads the CRD for its version label. Reading CRDs needs a cluster-scoped grant that
 * read-only users often lack; API discovery is open to every authenticated user, so
 * it still answers "installed" (without a version).
 */
async function crdState(probe: Probe, crd: Crd, groupPath: string): Promise<{ installed: boolean; version: string | null }> {
  try {
    // Metadata only: a CRD's schema runs to hundreds of KB, and only its version label is wanted.
    const object = await probe.client.getMetadata(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
    return { installed: true, version: object.metadata.labels?.["app.kubernetes.io/version"] ?? null };
  } catch (error) {
    if (isKind(error, "not-found")) return { installed: false, version: null };
    if (!isKind(error, "forbidden")) throw error;
  }
  probe.forbidden.push(`get customresourcedefinitions/${crd}`);
  const isServed = await tolerate(probe, probe.client.get(groupPath).then(() => true), false, `get ${groupPath}`);
  return { installed: isServed, version: null };
}

const isReady = (w: Workload) => {
  const wanted = w.spec?.replicas ?? 1;
  return wanted > 0 && (w.status?.readyReplicas ?? 0) >= wanted;
};

async function fluxControllers(probe: Probe): Promise<{ name: string; ready: boolean }[]> {
  const list = probe.client.list<Workload>("/apis/apps/v1/namespaces/flux-system/deployments", {
    labelSelector: "app.kubernetes.io/part-of=flux",
  });
  const deployments = await tolerate(probe, list.then((l) => l.items), [], "list deployments in flux-system");
  return deployments.map((d) => ({ name: d.metadata.name, ready: isReady(d) }));
}

/** The tag of an Argo CD image (quay.io/argoproj/argocd:v2.13.2), not a digest. */
const ARGO_IMAGE = /(?:^|\/)argocd:(v?\d+\.\d+[\w.+-]*)$/;

/**
 * Argo CD's version and controllers, from its workloads in the argocd namespace: the Helm chart
 * labels them app.kubernetes.io/version; install.yaml does not, but every workload runs the one
 * argocd image whose tag is the release. The CRDs carry no version.
 */
async function argoState(probe: Probe): Promise<{ version: string | null; controllers: { name: string; ready: boolean }[] }> {
  const selector = { labelSelector: "app.kubernetes.io/part-of=argocd" };
  const [deployments, statefulSets] = await Promise.all(
    (["deployments", "statefulsets"] as const).map((plural) =>
      tolerate(probe, probe.client.list<Workload>(`/apis/apps/v1/namespaces/${ARGO_NAMESPACE}/${plural}`, selector).then((l) => l.items), [] as Workload[], `list ${plural} in ${ARGO_NAMESPACE}`),
    ),
  );
  const workloads = [...(statefulSets ?? []), ...(deployments ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const labelled = workloads.map((w) => w.metadata.labels?.["app.kubernetes.io/version"]).find(Boolean);
  const tagged = workloads.flatMap((w) => w.spec?.template?.spec?.containers ?? []).map((c) => ARGO_IMAGE.exec(c.image ?? "")?.[1]).find(Boolean);
  return { version: labelled ?? tagged ?? null, controllers: workloads.map((w) => ({ name: w.metadata.name, ready: isReady(w) })) };
}

/**
 * Every Flux object on the cluster, including those Fleetline did not create: one list per kind
 * in the versions discovery found (cached per client). A kind that may not be read is noted and
 * left out rather than shown as empty; one that fails (500, 429) is reported on that kind.
 */
async function listFluxObjects(probe: Probe, namespaces: readonly string[]): Promise<FluxKindsListing> {
  const listing = await listFluxKinds(probe.client, { namespaces });
  for (const { kind, group, plural } of FLUX_KINDS) if (listing.forbiddenKinds.has(kind)) probe.forbidden.push(`list ${plural}.${group}`);
  return listing;
}

export function summarize(kind: string, object: StatusObject, now = Date.now()): FluxObjectSummary {
  const ready = object.status?.conditions?.find((c) => c.type === "Ready");
  return {
    kind,
    namespace: object.metadata.namespace ?? "",
    name: object.metadata.name,
    ready: objectReadiness({ ...object, kind }, now),
    reason: ready?.reason ?? null,
    message: ready?.message?.slice(0, 2000) ?? null,
    revision: object.status?.artifact?.revision ?? object.status?.lastAppliedRevision ?? null,
    isSuspended: object.spec?.suspend === true,
    configuration: object.metadata.labels?.["fleetline.io/configuration"] ?? null,
  };
}

export function countByReadiness(kind: string, objects: Pick<FluxObjectSummary, "ready">[]): FluxObjectCounts {
  const counts = { kind, ready: 0, notReady: 0, unknown: 0 };
  for (const { ready } of objects) {
    if (ready === "True") counts.ready++;
    else if (ready === "False") counts.notReady++;
    else counts.unknown++;
  }
  return counts;
}

function isKind(error: unknown, ...kinds: ClusterError["kind"][]): boolean {
  return error instanceof ClusterError && kinds.includes(error.kind);
}

type Probe = { client: ClusterClient; forbidden: string[] };

/**
 * Sub-calls that may be forbidden or absent fall back (a forbidden one is noted, so the
 * inventory can say which rights are missing); connection-level failures still fail the probe.
 */
async function tolerate<T, F>(probe: Probe, promise: Promise<T>, fallback: F, what: string): Promise<T | F> {
  try {
    return await promise;
  } catch (error) {
    if (isKind(error, "forbidden")) probe.forbidden.push(what);
    if (isKind(error, "forbidden", "not-found")) return fallback;
    throw error;
  }
}
