import "server-only";
import type { ClusterClient, KubeObject } from "@/lib/k8s/client";
import { ClusterError } from "@/lib/k8s/errors";

import { PRUNABLE_KINDS } from "@/lib/reconcilers/kinds";
import { CONFIGURATION_LABEL, configurationIdOf, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "@/lib/reconcilers/labels";

// What Fleetline may have created on a cluster comes from the one kind catalogue, in its deletion order.
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

async function preferredVersion(client: ClusterClient, group: string): Promise<string | null> {
  if (group === "") return "v1";
  try {
    const doc = await client.get<{ preferredVersion?: { version?: string } }>(`/apis/${group}`);
    return doc.preferredVersion?.version ?? null;
  } catch (error) {
    if (error instanceof ClusterError && error.kind === "not-found") return null;
    throw error;
  }
}

/**
 * The kind's objects, from the group's preferred version or else the version Fleetline writes:
 * a group may prefer a version that lacks the kind (notification.toolkit.fluxcd.io prefers v1,
 * which serves Receivers; Alerts and Providers are v1beta3). Undefined when neither serves it.
 */
async function listServed(client: ClusterClient, group: string, plural: string, apiVersion: string, selector: string): Promise<{ base: string; list: { items: KubeObject[] } } | undefined> {
  const preferred = await preferredVersion(client, group);
  if (!preferred) return undefined;
  const written = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
  for (const version of new Set([preferred, written])) {
    const base = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    try {
      return { base, list: await client.list<KubeObject>(`${base}/${plural}`, { labelSelector: selector }) };
    } catch (error) {
      if (!(error instanceof ClusterError && error.kind === "not-found")) throw error;
    }
  }
  return undefined;
}

/**
 * Deletes every object labelled as managed by Fleetline (optionally of one configuration; with its
 * id, objects of an earlier configuration of the same name, left on the cluster, are kept).
 * Kinds the cluster does not serve are skipped; any other failure stops and is reported.
 */
export async function removeManagedObjects(client: ClusterClient, configuration?: string, configurationId?: string): Promise<{ deleted: string[] }> {
  const selector = configuration ? `${MANAGED_SELECTOR},${CONFIGURATION_LABEL}=${configuration}` : MANAGED_SELECTOR;
  const deleted: string[] = [];
  for (const { group, plural, apiVersion } of PRUNABLE_KINDS) {
    const listed = await listServed(client, group, plural, apiVersion, selector);
    if (!listed) continue;
    const { base, list } = listed;
    for (const item of list.items) {
      if (configurationId !== undefined && (configurationIdOf(item.metadata) ?? configurationId) !== configurationId) continue;
      const ns = item.metadata.namespace;
      const path = `${base}${ns ? `/namespaces/${ns}` : ""}/${plural}/${item.metadata.name}`;
      try {
        await client.delete(path, { propagationPolicy: "Background" });
      } catch (error) {
        if (!(error instanceof ClusterError && error.kind === "not-found")) throw error;
      }
      deleted.push(`${item.kind ?? plural}/${ns ? `${ns}/` : ""}${item.metadata.name}`);
    }
  }
  return { deleted };
}
