import "server-only";
import { ClusterError, type ClusterClient, type KubeObject } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/errors";
import { errorMessage } from "@/lib/log";
import { objectPath } from "@/lib/reconcilers/kinds";
import { CONFIGURATION_LABEL } from "@/lib/reconcilers/labels";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { gitImagesFor, type GitImages } from "./git-images";
import { sameImage } from "./image-ref";
import {
  applicationImages,
  containerImages,
  deployedChart,
  imageValues,
  MAX_IMAGES_PER_CLUSTER,
  podSpecOf,
  WORKLOAD_KINDS,
  workloadKey,
  workloadOfInventoryId,
  type ChartValues,
  type ContainerImage,
  type ImageValues,
  type WorkloadKind,
  type WorkloadRef,
} from "./extract";

/**
 * One cluster's versions: the objects the reconciler reported for Fleetline's configurations
 * (already listed by the observation loop) say which workloads to read; each workload kind is
 * then listed once (per namespace when the workloads sit in a few, else cluster-wide), never
 * one GET per object. A list that fails fails the read, so the last stored rows stay.
 */

export type VersionTarget = { configurationId: string; name: string; spec?: ConfigurationSpec | undefined };

export type VersionsReading = { ok: true; images: ImageValues[]; charts: ChartValues[]; truncated: boolean; gitNote: string | null } | { ok: false; error: string };

/** Workloads in at most this many namespaces are listed per namespace; more, cluster-wide. */
const PER_NAMESPACE_LISTS = 4;

type Wanted = WorkloadRef & { configurationId: string; owner: KubeObject };

async function listWorkloads(client: ClusterClient, kind: WorkloadKind, namespaces: readonly string[]): Promise<KubeObject[]> {
  const { group, version, plural } = WORKLOAD_KINDS[kind];
  const base = `/apis/${group}/${version}`;
  const perNamespace = () => Promise.all(namespaces.map((ns) => client.list<KubeObject>(`${base}/namespaces/${encodeURIComponent(ns)}/${plural}`))).then((lists) => lists.flatMap((l) => l.items));
  if (namespaces.length <= PER_NAMESPACE_LISTS) return perNamespace();
  try {
    return (await client.list<KubeObject>(`${base}/${plural}`)).items;
  } catch (error) {
    // Credentials limited to some namespaces still see the ones Fleetline's workloads are in.
    if (error instanceof ClusterError && error.kind === "forbidden") return perNamespace();
    throw error;
  }
}

const configurationOf = (object: KubeObject): string | undefined => object.metadata.labels?.[CONFIGURATION_LABEL];

const differsFromGit = (image: string, gitImage: string | null): boolean => gitImage !== null && !sameImage(gitImage, image);

type Condition = { type?: string; status?: string };

/** Not mid-apply: the controller has handled this generation and is not reconciling (it writes Ready=Unknown, Reconciling=True before it applies). */
function isSettled(owner: KubeObject): boolean {
  const status = owner.status as { observedGeneration?: number; conditions?: Condition[] } | undefined;
  const conditions = Array.isArray(status?.conditions) ? status.conditions : [];
  const of = (type: string) => conditions.find((c) => c?.type === type)?.status;
  return status?.observedGeneration === owner.metadata.generation && of("Reconciling") !== "True" && of("Ready") !== "Unknown";
}

/**
 * The owners whose workloads differ from Git at their applied revision, but whose revision the
 * workloads may not be at: the owner was listed before the workloads, so a controller that began
 * applying another revision in between gives new images beside the old revision's manifests. A
 * workload only differs from Git for real when its owner was settled when listed and is unchanged
 * since (same resourceVersion: the controller writes status before it applies). One GET per such
 * owner, so a fleet whose workloads match Git costs nothing more.
 */
async function ownersApplyingDuringRead(client: ClusterClient, owners: ReadonlySet<KubeObject>): Promise<Set<KubeObject>> {
  const unconfirmed = new Set<KubeObject>();
  for (const owner of owners) {
    if (!isSettled(owner)) {
      unconfirmed.add(owner);
      continue;
    }
    const now = await client.getMetadata(objectPath({ kind: owner.kind, namespace: owner.metadata.namespace, name: owner.metadata.name })).catch((error: unknown) => {
      if (error instanceof ClusterError && error.kind === "not-found") return undefined;
      throw error;
    });
    if (now?.metadata.resourceVersion !== owner.metadata.resourceVersion) unconfirmed.add(owner);
  }
  return unconfirmed;
}

export async function readVersions(client: ClusterClient, objects: readonly KubeObject[], targets: readonly VersionTarget[]): Promise<VersionsReading> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const wanted = new Map<string, Wanted>();
  const images: ImageValues[] = [];
  const charts: ChartValues[] = [];
  let truncated = false;
  const push = (row: ImageValues) => {
    if (images.length >= MAX_IMAGES_PER_CLUSTER) truncated = true;
    else images.push(row);
  };
  for (const object of objects) {
    const target = byName.get(configurationOf(object) ?? "");
    if (!target) continue;
    const status = object.status as { inventory?: { entries?: unknown } } | undefined;
    if (object.kind === "Kustomization" && Array.isArray(status?.inventory?.entries)) {
      for (const entry of status.inventory.entries as { id?: unknown }[]) {
        const ref = workloadOfInventoryId(entry?.id);
        if (!ref || wanted.has(workloadKey(ref))) continue;
        // An inventory may list any number of objects; past the cap the rest are not read.
        if (wanted.size >= MAX_IMAGES_PER_CLUSTER) {
          truncated = true;
          break;
        }
        wanted.set(workloadKey(ref), { ...ref, configurationId: target.configurationId, owner: object });
      }
    } else if (object.kind === "HelmRelease") {
      const chart = deployedChart(target.configurationId, object);
      if (chart) charts.push(chart);
    } else if (object.kind === "Application") {
      const { images: names, total } = applicationImages(object);
      if (total > names.length) truncated = true;
      for (const image of names) push(imageValues(target.configurationId, { kind: "Application", namespace: object.metadata.namespace ?? "", name: object.metadata.name }, { container: "", isInit: false, image }, null));
    }
  }
  try {
    const found = new Map<string, KubeObject>();
    for (const kind of Object.keys(WORKLOAD_KINDS) as WorkloadKind[]) {
      const ofKind = [...wanted.values()].filter((w) => w.kind === kind);
      if (ofKind.length === 0) continue;
      const namespaces = [...new Set(ofKind.map((w) => w.namespace))].sort();
      for (const item of await listWorkloads(client, kind, namespaces)) {
        const key = workloadKey({ kind, namespace: item.metadata.namespace ?? "", name: item.metadata.name });
        if (wanted.has(key)) found.set(key, item);
      }
    }
    const git: GitImages = await gitImagesFor([...new Set([...wanted.values()].map((w) => w.owner))], targets);
    const read: { want: Wanted; key: string; containers: ContainerImage[] }[] = [];
    for (const [key, want] of wanted) {
      const object = found.get(key);
      if (!object) continue;
      const { images: containers, total } = containerImages(podSpecOf(want.kind, object));
      if (total > containers.length) truncated = true;
      read.push({ want, key, containers });
    }
    const gitImageOf = (want: Wanted, key: string, c: ContainerImage) => git.byOwner.get(want.owner)?.get(key)?.get(`${c.isInit ? "init:" : ""}${c.container}`) ?? null;
    const differing = new Set(read.flatMap(({ want, key, containers }) => containers.filter((c) => differsFromGit(c.image, gitImageOf(want, key, c))).map(() => want.owner)));
    const unconfirmed = await ownersApplyingDuringRead(client, differing);
    for (const { want, key, containers } of read) {
      for (const c of containers) {
        const gitImage = gitImageOf(want, key, c);
        push(imageValues(want.configurationId, want, c, unconfirmed.has(want.owner) && differsFromGit(c.image, gitImage) ? null : gitImage));
      }
    }
    const notes = [git.note, ...[...unconfirmed].map((owner) => `${owner.metadata.name}: applying a new revision during the read (compared with Git on the next read)`)].filter(Boolean);
    return { ok: true, images, charts, truncated, gitNote: notes.length > 0 ? notes.join("; ").slice(0, 1000) : null };
  } catch (error) {
    return { ok: false, error: error instanceof ClusterError ? classifyError(error).message : errorMessage(error) };
  }
}
