import "server-only";
import { ClusterError, type ClusterClient, type KubeObject } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/errors";
import { errorMessage } from "@/lib/log";
import { CONFIGURATION_LABEL } from "@/lib/reconcilers/labels";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import { gitImagesFor, type GitImages } from "./git-images";
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
    for (const [key, want] of wanted) {
      const object = found.get(key);
      if (!object) continue;
      const { images: containers, total } = containerImages(podSpecOf(want.kind, object));
      if (total > containers.length) truncated = true;
      const desired = git.byOwner.get(want.owner)?.get(key);
      for (const c of containers) push(imageValues(want.configurationId, want, c, desired?.get(`${c.isInit ? "init:" : ""}${c.container}`) ?? null));
    }
    return { ok: true, images, charts, truncated, gitNote: git.note };
  } catch (error) {
    return { ok: false, error: error instanceof ClusterError ? classifyError(error).message : errorMessage(error) };
  }
}
