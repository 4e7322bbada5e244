import { z } from "zod";
import { notificationsShape } from "./configuration-notifications";
import { helmReleaseFluxFields, kustomizationFluxFields } from "./configuration-flux-fields";
import { DEFAULT_INTERVAL, intervalSchema, timeoutSchema } from "./duration";
import { dnsLabelSchema } from "./names";
import { checkHelmReleaseName } from "./refs";
import { normalizeRepoPath } from "./repo-path";
import { boundedText, formatBytes, requiredString, ruleString, utf8ByteLength } from "./rules";
import { DEFAULT_YAML_LIMITS, parseYamlMapping } from "./safe-yaml";
import { checkSemverRange } from "./semver-range";

/** What a configuration applies from its source: Flux Kustomizations and HelmReleases. */

export const MAX_KUSTOMIZATIONS = 20;
export const MAX_HELM_RELEASES = 20;
export const MAX_SUBSTITUTIONS = 100;
export const MAX_SUBSTITUTION_VALUE_LENGTH = 16 * 1024;
export const MAX_SUBSTITUTIONS_BYTES = 64 * 1024;
export const MAX_VALUES_BYTES = DEFAULT_YAML_LIMITS.maxBytes;
/** All Helm values of one configuration together: every version is stored whole. */
export const MAX_TOTAL_VALUES_BYTES = 1024 * 1024;

/** A repository-relative path, validated and normalised to "./a/b". */
export const repoPathSchema = requiredString().transform((raw, ctx) => {
  const result = normalizeRepoPath(raw);
  if (!result.ok) {
    ctx.addIssue({ code: "custom", message: result.error });
    return z.NEVER;
  }
  return result.path;
});

// postBuild.substitute variable names, as Flux's envsubst accepts them.
const variableNameSchema = ruleString((name) =>
  /^[_a-zA-Z][_a-zA-Z0-9]{0,127}$/.test(name)
    ? undefined
    : "must start with a letter or '_' and contain only letters, digits and '_' (at most 128; substitution variable)",
);

export const substituteSchema = z
  .record(variableNameSchema, ruleString(boundedText(MAX_SUBSTITUTION_VALUE_LENGTH, { multiline: true })))
  .superRefine((substitute, ctx) => {
    const entries = Object.entries(substitute);
    if (entries.length > MAX_SUBSTITUTIONS) {
      ctx.addIssue({ code: "custom", message: `must have at most ${MAX_SUBSTITUTIONS} variables` });
    }
    const bytes = entries.reduce((sum, [key, value]) => sum + utf8ByteLength(key) + utf8ByteLength(value), 0);
    if (bytes > MAX_SUBSTITUTIONS_BYTES) {
      ctx.addIssue({ code: "custom", message: `must be at most ${formatBytes(MAX_SUBSTITUTIONS_BYTES)} in total (got ${formatBytes(bytes)})` });
    }
  });

export const kustomizationSchema = z.object({
  name: dnsLabelSchema,
  path: repoPathSchema.default("./"),
  dependsOn: z.array(dnsLabelSchema).max(MAX_KUSTOMIZATIONS - 1).default(() => []),
  interval: intervalSchema.default(DEFAULT_INTERVAL),
  retryInterval: intervalSchema.optional(),
  timeout: timeoutSchema.optional(),
  prune: z.boolean().default(false),
  force: z.boolean().default(false),
  wait: z.boolean().default(true),
  targetNamespace: dnsLabelSchema.optional(),
  postBuild: z.object({ substitute: substituteSchema.default(() => ({})), substituteFrom: kustomizationFluxFields.substituteFrom }).default(() => ({ substitute: {} })),
  patches: kustomizationFluxFields.patches,
  images: kustomizationFluxFields.images,
  healthChecks: kustomizationFluxFields.healthChecks,
  components: kustomizationFluxFields.components,
  deletionPolicy: kustomizationFluxFields.deletionPolicy,
  serviceAccountName: kustomizationFluxFields.serviceAccountName,
  decryption: kustomizationFluxFields.decryption,
});

export const valuesSchema = requiredString().superRefine((text, ctx) => {
  const result = parseYamlMapping(text);
  if (!result.ok) ctx.addIssue({ code: "custom", message: result.error });
});

export const helmReleaseSchema = z.object({
  name: dnsLabelSchema,
  // A chart name or a path; which one is allowed depends on the source (configuration.ts).
  chart: ruleString(boundedText(512)),
  version: ruleString(checkSemverRange).default("*"),
  releaseName: ruleString(checkHelmReleaseName).optional(),
  targetNamespace: dnsLabelSchema.optional(),
  interval: intervalSchema.default(DEFAULT_INTERVAL),
  values: valuesSchema.optional(),
  ...helmReleaseFluxFields,
});

export const workloadsShape = {
  kustomizations: z.array(kustomizationSchema).max(MAX_KUSTOMIZATIONS, `must have at most ${MAX_KUSTOMIZATIONS} Kustomizations`).default(() => []),
  helmReleases: z.array(helmReleaseSchema).max(MAX_HELM_RELEASES, `must have at most ${MAX_HELM_RELEASES} Helm releases`).default(() => []),
};

export type KustomizationSpec = z.output<typeof kustomizationSchema>;
export type HelmReleaseSpec = z.output<typeof helmReleaseSchema>;
type Workloads = { kustomizations: KustomizationSpec[]; helmReleases: HelmReleaseSpec[] };

function flagDuplicates(values: Array<string | undefined>, report: (index: number) => void): void {
  const seen = new Set<string>();
  for (const [index, value] of values.entries()) {
    if (value === undefined) continue;
    if (seen.has(value)) report(index);
    seen.add(value);
  }
}

/** The first dependency cycle as a list of names (first name repeated at the end), if any. */
export function findDependencyCycle(kustomizations: ReadonlyArray<{ name: string; dependsOn: string[] }>): string[] | undefined {
  const edges = new Map(kustomizations.map((k) => [k.name, k.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const trail: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, "visiting");
    trail.push(name);
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const { name } of kustomizations) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Rules within the workloads alone (the wizard step can check them without the other steps). */
export function checkWorkloads(workloads: Workloads, ctx: z.RefinementCtx): void {
  const { kustomizations, helmReleases } = workloads;
  if (kustomizations.length === 0 && helmReleases.length === 0) {
    ctx.addIssue({ code: "custom", path: ["kustomizations"], message: "add at least one Kustomization or Helm release" });
  }
  flagDuplicates(kustomizations.map((k) => k.name), (index) =>
    ctx.addIssue({ code: "custom", path: ["kustomizations", index, "name"], message: "is already used by another Kustomization in this configuration" }),
  );
  flagDuplicates(helmReleases.map((release) => release.name), (index) =>
    ctx.addIssue({ code: "custom", path: ["helmReleases", index, "name"], message: "is already used by another Helm release in this configuration" }),
  );
  flagDuplicates(helmReleases.map((release) => release.releaseName), (index) =>
    ctx.addIssue({ code: "custom", path: ["helmReleases", index, "releaseName"], message: "is already used by another Helm release in this configuration" }),
  );

  const names = new Set(kustomizations.map((k) => k.name));
  for (const [index, kustomization] of kustomizations.entries()) {
    const seen = new Set<string>();
    for (const [depIndex, dependency] of kustomization.dependsOn.entries()) {
      const path = ["kustomizations", index, "dependsOn", depIndex];
      if (dependency === kustomization.name) {
        ctx.addIssue({ code: "custom", path, message: "must not name the Kustomization itself" });
      } else if (!names.has(dependency)) {
        ctx.addIssue({ code: "custom", path, message: "must name another Kustomization in this configuration" });
      } else if (seen.has(dependency)) {
        ctx.addIssue({ code: "custom", path, message: "is listed twice" });
      }
      seen.add(dependency);
    }
  }
  const releaseNames = new Set(helmReleases.map((release) => release.name));
  for (const [index, release] of helmReleases.entries()) {
    const seen = new Set<string>();
    for (const [depIndex, dependency] of (release.dependsOn ?? []).entries()) {
      const path = ["helmReleases", index, "dependsOn", depIndex];
      if (dependency === release.name) ctx.addIssue({ code: "custom", path, message: "must not name the Helm release itself" });
      else if (!releaseNames.has(dependency)) ctx.addIssue({ code: "custom", path, message: "must name another Helm release in this configuration" });
      else if (seen.has(dependency)) ctx.addIssue({ code: "custom", path, message: "is listed twice" });
      seen.add(dependency);
    }
  }
  const releaseCycle = findDependencyCycle(helmReleases.map((r) => ({ name: r.name, dependsOn: (r.dependsOn ?? []).filter((d) => d !== r.name) })));
  if (releaseCycle) {
    const index = helmReleases.findIndex((r) => r.name === releaseCycle[0]);
    ctx.addIssue({ code: "custom", path: ["helmReleases", index, "dependsOn"], message: `forms a dependency cycle: ${releaseCycle.join(" -> ")}` });
  }
  // Self-dependencies are reported above; a cycle check on them would only repeat it.
  const cycle = findDependencyCycle(kustomizations.map((k) => ({ name: k.name, dependsOn: k.dependsOn.filter((d) => d !== k.name) })));
  if (cycle) {
    const index = kustomizations.findIndex((k) => k.name === cycle[0]);
    ctx.addIssue({ code: "custom", path: ["kustomizations", index, "dependsOn"], message: `forms a dependency cycle: ${cycle.join(" -> ")}` });
  }
}

/**
 * Cross-field rules run once every field is valid on its own: a 64-character name then
 * yields one message, not a second one about the object names built from it.
 */
export function onlyWhenFieldsAreValid(payload: { issues: readonly unknown[] }): boolean {
  return payload.issues.length === 0;
}

// The Workloads step edits Flux alerts too, so its schema checks them before Review.
export const workloadsStepSchema = z.object({ ...workloadsShape, ...notificationsShape }).superRefine(checkWorkloads, { when: onlyWhenFieldsAreValid });
