// Pure: Kustomization inventory entries, `<namespace>_<name>_<group>_<kind>` with the version in `v`.

export type InventoryRef = { apiVersion: string; kind: string; namespace: string; name: string; id: string };

/** Names, namespaces, groups and kinds cannot contain "_", so the split is unambiguous; anything else is skipped. */
export function parseInventoryId(entry: { id: string; v: string }): InventoryRef | undefined {
  const parts = entry.id.split("_");
  if (parts.length !== 4) return undefined;
  const [namespace = "", name = "", group = "", kind = ""] = parts;
  if (!name || !kind || !entry.v) return undefined;
  return { apiVersion: group ? `${group}/${entry.v}` : entry.v, kind, namespace, name, id: entry.id };
}

export function inventoryIdOf(object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
  return `${object.metadata.namespace ?? ""}_${object.metadata.name}_${group}_${object.kind}`;
}

export function describeRef(ref: Pick<InventoryRef, "kind" | "namespace" | "name">): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
