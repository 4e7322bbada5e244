import {
  CLUSTER_LABEL_PREFIX,
  CLUSTER_NAME_VARIABLE,
  CLUSTER_RECONCILER_VARIABLE,
  forEachString,
  labelVariableName,
  substituteVariables,
  UnresolvedVariableError,
  variableReferences,
} from "@/lib/validation/cluster-variables";
import type { ConfigurationSpec, OverrideSpec } from "@/lib/validation/configuration";
import { overridesOf } from "@/lib/validation/configuration-overrides";
import { isJsonObject, type JsonObject, type JsonValue } from "@/lib/validation/json";
import { matchesSelector } from "@/lib/validation/label-selector";
import { parseYamlMapping } from "@/lib/validation/safe-yaml";
import type { RenderInput } from "./flux/types";

/**
 * Pure: what one target cluster gets of a configuration version's values. The base spec's
 * substitutions and Helm values, then every override that applies to the cluster (selector
 * overrides in list order, then cluster-specific ones in list order: a later one wins), then
 * the cluster variables resolved with the cluster's own facts. Each value says where it came from.
 */

/** The facts of the target cluster a render is for. */
export type ClusterFacts = { id: string; name: string; labels: Record<string, string>; reconciler: string };

/** base: the configuration itself; override: override N (1-based) by selector; cluster: override N naming this cluster. */
export type ValueOrigin = { kind: "base" } | { kind: "override"; number: number } | { kind: "cluster"; number: number };

export type ResolvedValue = {
  /** "Kustomization apps" or "Helm release web". */
  object: string;
  /** The substitution variable, or the dotted path in the Helm values. */
  key: string;
  /** As rendered (JSON for a value that is not a string). */
  value: string;
  origin: ValueOrigin;
  /** The cluster variables the value was written with. */
  variables: string[];
};

export type ClusterValues = {
  /** Kustomization name -> its postBuild.substitute as this cluster gets it. */
  substitutions: Map<string, Record<string, string>>;
  /** Helm release name -> its values as this cluster gets them (undefined: none). */
  helmValues: Map<string, JsonObject | undefined>;
  /** Override numbers (1-based) that apply, in the order they were applied. */
  applied: number[];
  /** Every value with its origin, for the cluster page. */
  entries: ResolvedValue[];
};

export { overridesOf };

export function describeOrigin(origin: ValueOrigin): string {
  if (origin.kind === "base") return "base";
  return origin.kind === "cluster" ? `override ${origin.number} (this cluster)` : `override ${origin.number}`;
}

const usesVariable = (text: string | undefined) => text !== undefined && variableReferences(text).some((name) => name.startsWith("cluster_"));

const dependence = new WeakMap<ConfigurationSpec, boolean>();

/** Whether two clusters can get different objects from this spec (else one render serves every target). */
export function dependsOnCluster(spec: ConfigurationSpec): boolean {
  let depends = dependence.get(spec);
  if (depends === undefined) {
    depends = computeDependence(spec);
    dependence.set(spec, depends);
  }
  return depends;
}

function computeDependence(spec: ConfigurationSpec): boolean {
  if (overridesOf(spec).length > 0) return true;
  if (spec.kustomizations.some((k) => Object.values(k.postBuild.substitute).some(usesVariable))) return true;
  return spec.helmReleases.some((release) => usesVariable(release.values));
}

/** The overrides that apply to a cluster, in precedence order (selector ones, then cluster-specific ones). */
export function applicableOverrides(spec: ConfigurationSpec, cluster: Pick<ClusterFacts, "id" | "labels">): Array<{ override: OverrideSpec; origin: ValueOrigin }> {
  const bySelector: Array<{ override: OverrideSpec; origin: ValueOrigin }> = [];
  const byCluster: Array<{ override: OverrideSpec; origin: ValueOrigin }> = [];
  for (const [index, override] of overridesOf(spec).entries()) {
    if (override.clusterId !== undefined) {
      if (override.clusterId === cluster.id) byCluster.push({ override, origin: { kind: "cluster", number: index + 1 } });
    } else if (override.selector && matchesSelector(cluster.labels, override.selector)) {
      bySelector.push({ override, origin: { kind: "override", number: index + 1 } });
    }
  }
  return [...bySelector, ...byCluster];
}

/** name -> value of every cluster variable; label keys that normalise to the same name are ambiguous. */
function variableLookup(cluster: ClusterFacts): (name: string) => string {
  const labels = new Map<string, { key: string; value: string } | { ambiguous: string[] }>();
  for (const key of Object.keys(cluster.labels).sort()) {
    const name = labelVariableName(key);
    const seen = labels.get(name);
    if (seen === undefined) labels.set(name, { key, value: cluster.labels[key] ?? "" });
    else labels.set(name, { ambiguous: "ambiguous" in seen ? [...seen.ambiguous, key] : [seen.key, key] });
  }
  return (name) => {
    if (name === CLUSTER_NAME_VARIABLE) return cluster.name;
    if (name === CLUSTER_RECONCILER_VARIABLE) return cluster.reconciler;
    const label = labels.get(name);
    if (label === undefined) {
      throw new UnresolvedVariableError(name, cluster.name, `it has no label whose key normalises to "${name.slice(CLUSTER_LABEL_PREFIX.length)}"`);
    }
    if ("ambiguous" in label) throw new UnresolvedVariableError(name, cluster.name, `its labels ${label.ambiguous.join(" and ")} both normalise to this name`);
    return label.value;
  };
}

// Parsed values texts: a rollout renders the same texts for every target, and parsing YAML
// costs far more than resolving. Never handed out: merge and substitution build new objects.
const PARSED_LIMIT = 256;
const parsedValues = new Map<string, JsonObject | undefined>();

function parseValues(text: string | undefined): JsonObject | undefined {
  if (text === undefined) return undefined;
  if (parsedValues.has(text)) return parsedValues.get(text);
  const parsed = parseYamlMapping(text);
  // The spec was validated before it was stored; failing here means it was not.
  if (!parsed.ok) throw new Error(`Cannot render Helm values that failed validation: ${parsed.error}`);
  if (parsedValues.size >= PARSED_LIMIT) parsedValues.clear();
  parsedValues.set(text, parsed.value);
  return parsed.value;
}

const originKey = (path: readonly string[]) => path.join("\u0000");

/**
 * Helm's rule for values files: mappings merge key by key, anything else (lists included)
 * replaces, and null deletes the key. Records the origin of everything it writes.
 */
function deepMerge(base: JsonObject, over: JsonObject, origin: ValueOrigin, origins: Map<string, ValueOrigin>, path: string[] = []): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const at = [...path, key];
    const current = merged[key];
    if (value === null) {
      delete merged[key];
      origins.set(originKey(at), origin);
    } else if (isJsonObject(value) && isJsonObject(current)) {
      merged[key] = deepMerge(current, value, origin, origins, at);
    } else {
      merged[key] = value;
      origins.set(originKey(at), origin);
    }
  }
  return merged;
}

function substituteJson(value: JsonValue, lookup: (name: string) => string): JsonValue {
  if (typeof value === "string") return substituteVariables(value, lookup);
  if (Array.isArray(value)) return value.map((item) => substituteJson(item, lookup));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteJson(item, lookup)]));
  return value;
}

/** The origin of a leaf: the deepest write at or above its path. */
function originOf(origins: Map<string, ValueOrigin>, path: readonly string[]): ValueOrigin {
  for (let length = path.length; length > 0; length--) {
    const origin = origins.get(originKey(path.slice(0, length)));
    if (origin) return origin;
  }
  return { kind: "base" };
}

function leaves(value: JsonValue, visit: (leaf: JsonValue, path: string[]) => void, path: string[] = []): void {
  if (isJsonObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) leaves(item, visit, [...path, key]);
  } else visit(value, path);
}

/**
 * Resolves a version's values for one cluster. Throws UnresolvedVariableError (naming the
 * variable and the cluster) when a value uses a variable the cluster has no value for.
 */
export function resolveClusterValues(spec: ConfigurationSpec, cluster: ClusterFacts): ClusterValues {
  const lookup = variableLookup(cluster);
  const applicable = applicableOverrides(spec, cluster);
  const entries: ResolvedValue[] = [];
  const substitutions = new Map<string, Record<string, string>>();
  for (const kustomization of spec.kustomizations) {
    const written = new Map<string, { text: string; origin: ValueOrigin }>();
    for (const [name, text] of Object.entries(kustomization.postBuild.substitute)) written.set(name, { text, origin: { kind: "base" } });
    for (const { override, origin } of applicable) {
      for (const [name, text] of Object.entries(override.substitute)) written.set(name, { text, origin });
    }
    const resolved: Record<string, string> = {};
    for (const [name, { text, origin }] of written) {
      const value = substituteVariables(text, lookup);
      resolved[name] = value;
      entries.push({ object: `Kustomization ${kustomization.name}`, key: name, value, origin, variables: variableReferences(text).filter((v) => v.startsWith("cluster_")) });
    }
    substitutions.set(kustomization.name, resolved);
  }
  const helmValues = new Map<string, JsonObject | undefined>();
  for (const release of spec.helmReleases) {
    const origins = new Map<string, ValueOrigin>();
    let values = parseValues(release.values);
    for (const { override, origin } of applicable) {
      const text = override.helmValues[release.name];
      const extra = parseValues(text);
      if (extra) values = deepMerge(values ?? {}, extra, origin, origins);
    }
    if (values === undefined) {
      helmValues.set(release.name, undefined);
      continue;
    }
    const written = values;
    const resolved = substituteJson(written, lookup) as JsonObject;
    helmValues.set(release.name, resolved);
    leaves(written, (leaf, path) => {
      if (path.length === 0) return;
      const variables: string[] = [];
      forEachString(leaf, (text) => variables.push(...variableReferences(text).filter((v) => v.startsWith("cluster_"))));
      const rendered = substituteJson(leaf, lookup);
      entries.push({ object: `Helm release ${release.name}`, key: path.join("."), value: typeof rendered === "string" ? rendered : JSON.stringify(rendered), origin: originOf(origins, path), variables });
    });
  }
  return { substitutions, helmValues, applied: applicable.map(({ origin }) => ("number" in origin ? origin.number : 0)), entries };
}

/**
 * The spec as one cluster gets it: substitutions resolved, overrides applied (and dropped).
 * Helm values come separately, already parsed: putting them back as text would cost a YAML
 * parse per target.
 */
export function specForCluster(spec: ConfigurationSpec, cluster: ClusterFacts): { spec: ConfigurationSpec; helmValues: ReadonlyMap<string, JsonObject | undefined> } {
  const values = resolveClusterValues(spec, cluster);
  return {
    spec: {
      ...spec,
      overrides: [],
      kustomizations: spec.kustomizations.map((k) => ({ ...k, postBuild: { ...k.postBuild, substitute: values.substitutions.get(k.name) ?? {} } })),
      // Rendered without values; withHelmValues puts this cluster's in.
      helmReleases: spec.helmReleases.map((release) => ({ ...release, values: undefined })),
    },
    helmValues: values.helmValues,
  };
}

export type ClusterRender = { input: RenderInput; helmValues?: ReadonlyMap<string, JsonObject | undefined> };

/**
 * What every renderer calls first: the input with the target cluster's values applied, and
 * its Helm values per release (to give each rendered release with withHelmValues). Without a
 * cluster (a preview of the version itself) the spec renders as written, variables and all.
 */
export function withClusterValues(input: RenderInput): ClusterRender {
  if (!input.cluster || !dependsOnCluster(input.spec)) return { input };
  const { spec, helmValues } = specForCluster(input.spec, input.cluster);
  return { input: { ...input, spec }, helmValues };
}

/** A freshly rendered HelmRelease given this cluster's values (unchanged when the render is not per cluster). */
export function withHelmValues<T extends { spec?: JsonObject }>(object: T, render: ClusterRender, release: string): T {
  if (!render.helmValues || !object.spec) return object;
  const values = render.helmValues.get(release);
  const spec: JsonObject = { ...object.spec };
  if (values === undefined) delete spec.values;
  else spec.values = values;
  return { ...object, spec };
}

/** Equal keys mean equal renders of one version: used to render once per distinct key. */
export function clusterRenderKey(spec: ConfigurationSpec, cluster: ClusterFacts | undefined): string {
  if (!cluster || !dependsOnCluster(spec)) return "";
  const labels = Object.keys(cluster.labels)
    .sort()
    .map((key) => [key, cluster.labels[key]]);
  return JSON.stringify([cluster.id, cluster.name, cluster.reconciler, labels]);
}
