import { imageName, MAX_IMAGE_TEXT, parseImageRef, versionKey } from "./image-ref";

/**
 * Pure: from the objects a reconciler reports for one configuration, what to read and what to
 * store. Flux: the workloads a Kustomization's inventory lists (read afterwards, one list per
 * kind) and a HelmRelease's deployed snapshot; Argo CD: the images its Application's summary
 * names. Every string that came from the cluster is cut before it is kept.
 */

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Job";

/** The workload kinds whose pod templates are read, with where their lists live. */
export const WORKLOAD_KINDS: Record<WorkloadKind, { group: string; version: string; plural: string }> = {
  Deployment: { group: "apps", version: "v1", plural: "deployments" },
  StatefulSet: { group: "apps", version: "v1", plural: "statefulsets" },
  DaemonSet: { group: "apps", version: "v1", plural: "daemonsets" },
  CronJob: { group: "batch", version: "v1", plural: "cronjobs" },
  Job: { group: "batch", version: "v1", plural: "jobs" },
};

/** Containers kept per workload, and image rows per cluster: beyond, they are counted and the read says it was cut. */
export const MAX_CONTAINERS_PER_WORKLOAD = 50;
export const MAX_IMAGES_PER_CLUSTER = 5000;
/** Names and namespaces are at most 253 characters in Kubernetes; anything longer is cut. */
const MAX_NAME = 253;

export const cutText = (value: unknown, max: number): string => (typeof value === "string" ? (value.length > max ? value.slice(0, max) : value) : "");

export type WorkloadRef = { kind: WorkloadKind; namespace: string; name: string };
export const workloadKey = (ref: WorkloadRef): string => `${ref.kind}/${ref.namespace}/${ref.name}`;

/** An inventory id `<namespace>_<name>_<group>_<Kind>` naming a workload kind Fleetline reads; undefined otherwise. */
export function workloadOfInventoryId(id: unknown): WorkloadRef | undefined {
  if (typeof id !== "string" || id.length > 1000) return undefined;
  const parts = id.split("_");
  if (parts.length < 4) return undefined;
  const kind = parts.pop()!;
  const group = parts.pop()!;
  const namespace = parts.shift()!;
  const name = parts.join("_");
  const info = WORKLOAD_KINDS[kind as WorkloadKind] as (typeof WORKLOAD_KINDS)[WorkloadKind] | undefined;
  if (!info || info.group !== group || name === "") return undefined;
  return { kind: kind as WorkloadKind, namespace, name };
}

type PodSpec = { containers?: unknown; initContainers?: unknown };
type Container = { name?: unknown; image?: unknown };

/** The pod template's spec of a workload object (CronJob: through its job template). */
export function podSpecOf(kind: WorkloadKind, object: object): PodSpec | undefined {
  const spec = (object as { spec?: unknown }).spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  if (!spec || typeof spec !== "object") return undefined;
  const pod = kind === "CronJob" ? spec.jobTemplate?.spec?.template?.spec : spec.template?.spec;
  return pod && typeof pod === "object" ? pod : undefined;
}

export type ContainerImage = { container: string; isInit: boolean; image: string };

/** Containers then init containers, as written; at most `max` (the count says how many there were). */
export function containerImages(pod: PodSpec | undefined, max = MAX_CONTAINERS_PER_WORKLOAD): { images: ContainerImage[]; total: number } {
  const list = (value: unknown, isInit: boolean) => (Array.isArray(value) ? (value as Container[]).map((c) => ({ c, isInit })) : []);
  const all = [...list(pod?.containers, false), ...list(pod?.initContainers, true)];
  const images = all.slice(0, max).map(({ c, isInit }) => ({ container: cutText(c?.name, MAX_NAME), isInit, image: cutText(c?.image, MAX_IMAGE_TEXT) }));
  return { images, total: all.length };
}

/** An image row ready to store, without the cluster and ordinal. */
export type ImageValues = {
  configurationId: string;
  workloadKind: string;
  workloadNamespace: string;
  workloadName: string;
  container: string;
  isInit: boolean;
  image: string;
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
  gitImage: string | null;
};

export function imageValues(configurationId: string, workload: { kind: string; namespace: string; name: string }, c: ContainerImage, gitImage: string | null): ImageValues {
  const ref = parseImageRef(c.image);
  return {
    configurationId,
    workloadKind: workload.kind,
    workloadNamespace: cutText(workload.namespace, MAX_NAME),
    workloadName: cutText(workload.name, MAX_NAME),
    container: c.container,
    isInit: c.isInit,
    image: cutText(c.image, MAX_IMAGE_TEXT),
    registry: ref.registry,
    repository: ref.repository,
    tag: ref.tag,
    digest: ref.digest,
    gitImage: gitImage === null ? null : cutText(gitImage, MAX_IMAGE_TEXT),
  };
}

/** Argo CD's `status.summary.images`: the images of the Application's live resources, deduplicated. */
export function applicationImages(application: object, max = MAX_CONTAINERS_PER_WORKLOAD): { images: string[]; total: number } {
  const summary = ((application as { status?: unknown }).status as { summary?: { images?: unknown } } | undefined)?.summary;
  const raw = Array.isArray(summary?.images) ? summary.images.filter((i): i is string => typeof i === "string") : [];
  const unique = [...new Set(raw)];
  return { images: unique.slice(0, max).map((i) => cutText(i, MAX_IMAGE_TEXT)), total: unique.length };
}

export type ChartValues = { configurationId: string; releaseNamespace: string; releaseName: string; chartName: string; chartVersion: string; appVersion: string | null };

type Snapshot = { status?: unknown; chartName?: unknown; chartVersion?: unknown; appVersion?: unknown; version?: unknown; name?: unknown; namespace?: unknown };

/**
 * helm-controller v2 keeps release snapshots in `status.history`, newest first; the deployed
 * one is the snapshot with status "deployed" (a failed upgrade sits above it). The highest
 * release version wins should the order ever differ.
 */
export function deployedChart(configurationId: string, release: { metadata: { name: string; namespace?: string }; status?: unknown }): ChartValues | undefined {
  const history = (release.status as { history?: unknown } | undefined)?.history;
  if (!Array.isArray(history)) return undefined;
  const deployed = (history as Snapshot[]).filter((h) => h && h.status === "deployed" && typeof h.chartVersion === "string" && typeof h.chartName === "string");
  if (deployed.length === 0) return undefined;
  const newest = deployed.reduce((a, b) => (Number(b.version ?? 0) > Number(a.version ?? 0) ? b : a));
  return {
    configurationId,
    releaseNamespace: cutText(typeof newest.namespace === "string" ? newest.namespace : (release.metadata.namespace ?? ""), MAX_NAME),
    releaseName: cutText(typeof newest.name === "string" ? newest.name : release.metadata.name, MAX_NAME),
    chartName: cutText(newest.chartName, MAX_NAME),
    chartVersion: cutText(newest.chartVersion, 128),
    appVersion: typeof newest.appVersion === "string" ? cutText(newest.appVersion, 128) : null,
  };
}

/** The (name, version) an image row is ordered by across the fleet. */
export function imageVersionKey(row: Pick<ImageValues, "registry" | "repository" | "tag" | "digest">): { name: string; version: string } {
  return { name: imageName(row), version: versionKey(row) };
}

/** Desired workloads' container images from manifests (Git), keyed by workload then container name. */
export function desiredImages(objects: readonly { kind: string; metadata: { name: string; namespace?: string }; spec?: unknown }[], defaultNamespace: string, targetNamespace?: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const object of objects) {
    if (!(object.kind in WORKLOAD_KINDS)) continue;
    const kind = object.kind as WorkloadKind;
    const namespace = targetNamespace ?? object.metadata.namespace ?? defaultNamespace;
    const { images } = containerImages(podSpecOf(kind, object));
    out.set(workloadKey({ kind, namespace, name: object.metadata.name }), new Map(images.map((c) => [`${c.isInit ? "init:" : ""}${c.container}`, c.image])));
  }
  return out;
}
