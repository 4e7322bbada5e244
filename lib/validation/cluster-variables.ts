import type { JsonValue } from "./json";

/**
 * Pure: the cluster variables a configuration's values may use, `${cluster_name}`,
 * `${cluster_reconciler}` and `${cluster_label_<key>}`, and how label keys become variable
 * names. Shared by validation (unknown variables are refused at save) and rendering (each
 * target resolves them with its own facts).
 */

export const CLUSTER_NAME_VARIABLE = "cluster_name";
export const CLUSTER_RECONCILER_VARIABLE = "cluster_reconciler";
export const CLUSTER_LABEL_PREFIX = "cluster_label_";

/** `${name}`; `$${` is an escaped `${` and is left alone (Flux's own escape). */
const REFERENCE = /\$(\$)?\{([^}]*)\}/g;

/**
 * A label key as a variable name: lowercased, every character other than a-z, 0-9 and `_`
 * becomes `_`. `topology.kubernetes.io/region` -> `cluster_label_topology_kubernetes_io_region`,
 * `env` -> `cluster_label_env`.
 */
export function labelVariableName(key: string): string {
  return `${CLUSTER_LABEL_PREFIX}${key.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
}

export function isKnownVariable(name: string): boolean {
  return name === CLUSTER_NAME_VARIABLE || name === CLUSTER_RECONCILER_VARIABLE || /^cluster_label_[a-z0-9_]+$/.test(name);
}

/** The variables a text refers to, in order of appearance (escaped `$${...}` excluded). */
export function variableReferences(text: string): string[] {
  const names: string[] = [];
  if (!text.includes("${")) return names;
  for (const match of text.matchAll(REFERENCE)) {
    if (match[1] === undefined) names.push(match[2] ?? "");
  }
  return names;
}

/** The first reference in a text that is not a cluster variable, if any. */
export function firstUnknownVariable(text: string): string | undefined {
  return variableReferences(text).find((name) => !isKnownVariable(name));
}

export const UNKNOWN_VARIABLE_HINT = "the known variables are ${cluster_name}, ${cluster_reconciler} and ${cluster_label_<key>} (write $${ for a literal ${)";

/** A human message for an unknown variable, naming it. */
export function unknownVariableMessage(name: string): string {
  return `uses the unknown variable \${${name}}: ${UNKNOWN_VARIABLE_HINT}`;
}

/** Every string in a JSON value (keys are not substituted), with its dotted path. */
export function forEachString(value: JsonValue, visit: (text: string, path: string[]) => void, path: string[] = []): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, visit, [...path, String(index)]));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) forEachString(item, visit, [...path, key]);
  }
}

/** Why a variable has no value on a target: thrown by substitute, caught per target by the renderers' callers. */
export class UnresolvedVariableError extends Error {
  override name = "UnresolvedVariableError";
  constructor(
    readonly variable: string,
    readonly cluster: string,
    reason: string,
  ) {
    super(`\${${variable}} cannot be resolved on cluster ${cluster}: ${reason}`);
  }
}

/**
 * Replaces every cluster variable in a text with its value; `$${` becomes a literal `${`.
 * References that are not cluster variables are left as written (versions stored before
 * variables existed). Throws UnresolvedVariableError for a known variable without a value.
 */
export function substituteVariables(text: string, lookup: (name: string) => string): string {
  if (!text.includes("${")) return text;
  return text.replace(REFERENCE, (whole, escaped: string | undefined, name: string) => {
    if (escaped !== undefined) return whole.slice(1);
    if (!isKnownVariable(name)) return whole;
    return lookup(name);
  });
}
