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
 * Deletes every object labelled as managed by Fleetline (optionally of one configuration; with its
 * id, objects of an earlier configuration of the same name, left on the cluster, are kept).
 * Kinds the cluster does not serve are skipped; any other failure stops and is reported.
 */
export async function removeManagedObjects(client: ClusterClient, configuration?: string, configurationId?: string): Promise<{ deleted: string[] }> {
  const selector = configuration ? `${MANAGED_SELECTOR},${CONFIGURATION_LABEL}=${configuration}` : MANAGED_SELECTOR;
  const deleted: string[] = [];
  for (const { group, plural } of PRUNABLE_KINDS) {
    const version = await preferredVersion(client, group);
    if (!version) continue;
    const base = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    const list = await client.list<KubeObject>(`${base}/${plural}`, { labelSelector: selector });
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
