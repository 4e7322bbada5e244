// Pure: Kustomization inventory entries, `<namespace>_<name>_<group>_<kind>` with the version in `v`,
// read and written the way Flux's inventory code does (fluxcd/cli-utils object.ObjMetadata).

export type InventoryRef = { apiVersion: string; kind: string; namespace: string; name: string; id: string };

const SEPARATOR = "_";
/** ':' (allowed in RBAC object names such as `system:foo`) is written as "__" in ids. */
const COLON = "__";
const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/**
 * Namespace up to the first "_", kind after the last, group after the one before it; the rest
 * is the name, with "__" turned back into ':'. Anything the controllers could not have written
 * (missing separators, no name, kind or version) is skipped.
 */
export function parseInventoryId(entry: { id: string; v: string }): InventoryRef | undefined {
  const first = entry.id.indexOf(SEPARATOR);
  if (first === -1) return undefined;
  const namespace = entry.id.slice(0, first);
  let rest = entry.id.slice(first + 1);
  const last = rest.lastIndexOf(SEPARATOR);
  if (last === -1) return undefined;
  const kind = rest.slice(last + 1);
  rest = rest.slice(0, last);
  const beforeGroup = rest.lastIndexOf(SEPARATOR);
  if (beforeGroup === -1) return undefined;
  const group = rest.slice(beforeGroup + 1);
  const name = rest.slice(0, beforeGroup).replaceAll(COLON, ":");
  if (!name || !kind || !entry.v) return undefined;
  return { apiVersion: group ? `${group}/${entry.v}` : entry.v, kind, namespace, name, id: entry.id };
}

export function inventoryIdOf(object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  const group = object.apiVersion.includes("/") ? (object.apiVersion.split("/")[0] ?? "") : "";
  const name = group === RBAC_GROUP && RBAC_KINDS.has(object.kind) ? object.metadata.name.replaceAll(":", COLON) : object.metadata.name;
  return `${object.metadata.namespace ?? ""}${SEPARATOR}${name}${SEPARATOR}${group}${SEPARATOR}${object.kind}`;
}

export function describeRef(ref: Pick<InventoryRef, "kind" | "namespace" | "name">): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
