import path from "node:path";
import { parseYamlWithLimits, splitYamlDocuments } from "@/lib/validation/safe-yaml";

/**
 * Pure: the desired objects of a Kustomization from its files at the applied revision, for
 * the plain-YAML case Flux builds without kustomize features: every manifest under the path
 * (Flux generates a kustomization.yaml listing them), or a kustomization.yaml with only
 * `resources` and `namespace`. Anything else is reported unsupported and the caller falls
 * back to the field-manager method.
 */

export type ManifestFile = { path: string; content: string };
export type DesiredObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
};
export type BuildResult = { ok: true; objects: DesiredObject[] } | { ok: false; reason: string };

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const SUPPORTED_KEYS = new Set(["apiVersion", "kind", "resources", "namespace"]);
const SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute";
const MAX_DEPTH = 8;

/** Flux's postBuild syntax: ${var}, ${var:=default}, ${var:-default}; unset variables become "". */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[=-]([^}]*))?\}/g, (_, name: string, fallback?: string) => vars[name] ?? fallback ?? "");
}

class BuildFailure extends Error {}

function parseManifests(file: ManifestFile, vars: Readonly<Record<string, string>> | undefined): DesiredObject[] {
  const objects: DesiredObject[] = [];
  // Split by the linear pre-scan, never by the yaml package: its composer recurses, and a deeply
  // nested document in a repository aborted the whole process (issue 11, hardening case 26).
  const split = splitYamlDocuments(file.content);
  if (!split.ok) throw new BuildFailure(`${file.path}: ${split.error}`);
  for (const doc of split.documents) {
    const source = doc.text;
    const parse = (text: string) => {
      const result = parseYamlWithLimits(text);
      if (!result.ok) throw new BuildFailure(`${file.path}: ${result.error}`);
      return result.value;
    };
    let value = parse(source);
    if (value === null) continue;
    const candidate = value as Partial<DesiredObject>;
    const isDisabled = candidate.metadata?.annotations?.[SUBSTITUTE_ANNOTATION] === "disabled" || candidate.metadata?.labels?.[SUBSTITUTE_ANNOTATION] === "disabled";
    if (vars && !isDisabled) value = parse(substituteVariables(source, vars));
    const object = value as Partial<DesiredObject>;
    if (typeof object !== "object" || !object.apiVersion || !object.kind || typeof object.metadata?.name !== "string") {
      throw new BuildFailure(`${file.path}: a document is missing apiVersion, kind or metadata.name`);
    }
    objects.push(object as DesiredObject);
  }
  return objects;
}

function under(dir: string, file: string): boolean {
  return dir === "" || file.startsWith(`${dir}/`);
}

function buildDir(files: ReadonlyMap<string, string>, dir: string, vars: Readonly<Record<string, string>> | undefined, depth: number): DesiredObject[] {
  if (depth > MAX_DEPTH) throw new BuildFailure("resources nest too deeply");
  const kustomizationFile = KUSTOMIZATION_FILES.map((name) => (dir ? `${dir}/${name}` : name)).find((name) => files.has(name));
  if (!kustomizationFile) {
    return [...files.keys()]
      .filter((file) => under(dir, file) && /\.ya?ml$/.test(file) && !file.split("/").some((part) => part.startsWith(".")))
      .sort()
      .flatMap((file) => parseManifests({ path: file, content: files.get(file)! }, vars));
  }
  const parsed = parseYamlWithLimits(files.get(kustomizationFile)!);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
    throw new BuildFailure(`${kustomizationFile}: ${parsed.ok ? "must be a mapping" : parsed.error}`);
  }
  const spec = parsed.value as { resources?: unknown; namespace?: unknown };
  const unsupported = Object.keys(spec).filter((key) => !SUPPORTED_KEYS.has(key));
  if (unsupported.length > 0) throw new BuildFailure(`${kustomizationFile} uses kustomize features this check does not build (${unsupported.join(", ")})`);
  const resources = Array.isArray(spec.resources) ? spec.resources : [];
  const objects = resources.flatMap((resource) => {
    if (typeof resource !== "string" || /^[a-z]+:\/\//i.test(resource)) throw new BuildFailure(`${kustomizationFile}: remote or non-text resources are not built here`);
    const target = path.posix.normalize(path.posix.join(dir || ".", resource)).replace(/^\.\/?$/, "");
    if (target.startsWith("..") || target.startsWith("/")) throw new BuildFailure(`${kustomizationFile}: resource ${resource} is outside the repository`);
    if (files.has(target)) return parseManifests({ path: target, content: files.get(target)! }, vars);
    if ([...files.keys()].some((file) => under(target, file))) return buildDir(files, target, vars, depth + 1);
    throw new BuildFailure(`${kustomizationFile}: resource ${resource} does not exist`);
  });
  if (typeof spec.namespace === "string" && spec.namespace !== "") for (const object of objects) object.metadata.namespace = spec.namespace;
  return objects;
}

/** `dir` is the Kustomization path as a repository pathspec ("" for the root). */
export function buildDesired(files: readonly ManifestFile[], dir: string, vars?: Readonly<Record<string, string>>): BuildResult {
  try {
    return { ok: true, objects: buildDir(new Map(files.map((f) => [f.path, f.content])), dir, vars, 0) };
  } catch (error) {
    if (error instanceof BuildFailure) return { ok: false, reason: error.message };
    throw error;
  }
}
