// Turns a folder of plain YAML (optionally with a kustomization.yaml listing
// `resources`) into objects, like kustomize-controller's build step does for
// the simple cases, and names objects the way Flux inventories do.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import type { KubeObject } from "./kube-rest";

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildError";
  }
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const SUPPORTED_KUSTOMIZATION_KEYS = new Set(["apiVersion", "kind", "resources", "namespace"]);

/** ${var}, ${var:=default} and ${var:-default}; unset variables become "" (Flux's non-strict mode). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[=-]([^}]*))?\}/g, (_, name: string, fallback?: string) => vars[name] ?? fallback ?? "");
}

function parseFile(file: string, root: string, vars: Record<string, string> | undefined): KubeObject[] {
  const rel = path.relative(root, file);
  const text = fs.readFileSync(file, "utf8");
  const docs = YAML.parseAllDocuments(vars ? substitute(text, vars) : text);
  const objects: KubeObject[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new BuildError(`kustomize build failed: ${rel}: ${error.message.split("\n")[0]}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const obj = value as Partial<KubeObject>;
    if (typeof obj !== "object" || !obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new BuildError(`kustomize build failed: ${rel}: missing apiVersion, kind or metadata.name`);
    }
    objects.push(obj as KubeObject);
  }
  return objects;
}

type BuildOptions = { vars?: Record<string, string>; recurse: boolean };

function buildDir(dir: string, root: string, opts: BuildOptions): KubeObject[] {
  const kustomizationFile = KUSTOMIZATION_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!kustomizationFile) {
    // No kustomization.yaml: Flux generates one that includes every manifest below the path.
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name.startsWith(".") || !opts.recurse ? [] : buildDir(full, root, opts);
        return /\.ya?ml$/.test(entry.name) ? parseFile(full, root, opts.vars) : [];
      });
  }
  const spec = (YAML.parse(fs.readFileSync(kustomizationFile, "utf8")) ?? {}) as { resources?: string[]; namespace?: string };
  const unsupported = Object.keys(spec).filter((k) => !SUPPORTED_KUSTOMIZATION_KEYS.has(k));
  if (unsupported.length > 0) {
    throw new BuildError(`kustomize build failed: the test stand-in supports only resources and namespace, not ${unsupported.join(", ")}`);
  }
  const objects = (spec.resources ?? []).flatMap((resource) => {
    const full = path.resolve(dir, resource);
    if (!full.startsWith(root) || !fs.existsSync(full)) {
      throw new BuildError(`kustomize build failed: accumulating resources: '${full}' doesn't exist`);
    }
    return fs.statSync(full).isDirectory() ? buildDir(full, root, { ...opts, recurse: true }) : parseFile(full, root, opts.vars);
  });
  if (spec.namespace) for (const obj of objects) obj.metadata.namespace = spec.namespace;
  return objects;
}

/**
 * The objects under `relPath` of a checked-out source (`root`). Flux includes
 * sub-folders; Argo CD's directory source only does with `recurse: true`.
 */
export function buildManifests(root: string, relPath: string | undefined, opts: BuildOptions): KubeObject[] {
  const dir = path.resolve(root, relPath ?? ".");
  if (dir !== root && !dir.startsWith(`${root}${path.sep}`)) throw new BuildError(`path '${relPath}' is outside the source`);
  if (!fs.existsSync(dir)) throw new BuildError(`kustomization path not found: stat ${dir}: no such file or directory`);
  return buildDir(dir, root, opts);
}

export const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "");
export const versionOf = (apiVersion: string): string => apiVersion.split("/").pop() ?? apiVersion;

// kustomize-controller names inventory entries with fluxcd/cli-utils' ObjMetadata: fields joined
// by "_", and ':' (legal in RBAC names such as system:foo) written as "__" for the RBAC kinds.
const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** `<namespace>_<name>_<group>_<kind>`, the id Flux writes to status.inventory.entries. */
export const inventoryId = (obj: KubeObject): string => {
  const group = groupOf(obj.apiVersion);
  const name = group === "rbac.authorization.k8s.io" && RBAC_KINDS.has(obj.kind) ? obj.metadata.name.replaceAll(":", "__") : obj.metadata.name;
  return `${obj.metadata.namespace ?? ""}_${name}_${group}_${obj.kind}`;
};

export type ObjectRef = { apiVersion: string; kind: string; namespace?: string; name: string };

/** Namespace before the first "_", kind after the last, group before that; the name keeps any "_" and turns "__" back into ':'. */
export function parseInventoryEntry(entry: { id: string; v: string }): ObjectRef {
  const first = entry.id.indexOf("_");
  const namespace = entry.id.slice(0, first);
  const rest = entry.id.slice(first + 1);
  const kind = rest.slice(rest.lastIndexOf("_") + 1);
  const nameAndGroup = rest.slice(0, rest.lastIndexOf("_"));
  const group = nameAndGroup.slice(nameAndGroup.lastIndexOf("_") + 1);
  const name = nameAndGroup.slice(0, nameAndGroup.lastIndexOf("_")).replaceAll("__", ":");
  return { apiVersion: group ? `${group}/${entry.v}` : entry.v, kind, name, ...(namespace ? { namespace } : {}) };
}

/** Apply order: cluster definitions first (Flux applies CRDs and Namespaces before the rest). */
export function applyStage(obj: KubeObject): number {
  return obj.kind === "CustomResourceDefinition" || obj.kind === "Namespace" ? 0 : 1;
}
