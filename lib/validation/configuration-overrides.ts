import { z } from "zod";
import { firstUnknownVariable, forEachString, unknownVariableMessage } from "./cluster-variables";
import { substituteSchema, valuesSchema, type HelmReleaseSpec, type KustomizationSpec } from "./configuration-workloads";
import { isEmptySelector, labelSelectorSchema, matchesSelector } from "./label-selector";
import { resourceIdSchema } from "./limits";
import { dnsLabelSchema } from "./names";
import { parseYamlMapping } from "./safe-yaml";

/**
 * Per-cluster overrides: an ordered list stored with each configuration version. Each names
 * the clusters it applies to (a label selector, or one cluster) and brings substitutions to
 * add or replace (on every Kustomization's postBuild.substitute) and Helm values to
 * deep-merge (per Helm release). Precedence: the base spec, then the selector overrides in
 * list order, then the cluster-specific ones in list order; a later one wins.
 */

export const MAX_OVERRIDES = 100;

export const overrideSchema = z
  .object({
    selector: labelSelectorSchema
      .refine((selector) => !isEmptySelector(selector), "must have at least one label or expression (an empty selector would match every cluster)")
      .optional(),
    clusterId: resourceIdSchema.optional(),
    substitute: substituteSchema.default(() => ({})),
    // Helm release name (as in the configuration) -> YAML values to deep-merge into its values.
    helmValues: z.record(dnsLabelSchema, valuesSchema).default(() => ({})),
  })
  .superRefine((override, ctx) => {
    if ((override.selector === undefined) === (override.clusterId === undefined)) {
      ctx.addIssue({ code: "custom", path: ["selector"], message: "choose either a label selector or one cluster" });
    }
  });

export const overridesShape = {
  overrides: z.array(overrideSchema).max(MAX_OVERRIDES, `must have at most ${MAX_OVERRIDES} overrides`).default(() => []),
};

export type OverrideSpec = z.output<typeof overrideSchema>;

type WithValues = { kustomizations: KustomizationSpec[]; helmReleases: HelmReleaseSpec[]; overrides: OverrideSpec[] };

function checkValuesText(text: string | undefined, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (text === undefined || !text.includes("${")) return;
  const parsed = parseYamlMapping(text);
  if (!parsed.ok || !parsed.value) return;
  let reported = false;
  forEachString(parsed.value, (value, at) => {
    const unknown = reported ? undefined : firstUnknownVariable(value);
    if (unknown === undefined) return;
    reported = true;
    ctx.addIssue({ code: "custom", path, message: `${at.join(".")} ${unknownVariableMessage(unknown)}` });
  });
}

function checkSubstitute(substitute: Record<string, string>, path: (string | number)[], ctx: z.RefinementCtx): void {
  for (const [name, value] of Object.entries(substitute)) {
    const unknown = firstUnknownVariable(value);
    if (unknown !== undefined) ctx.addIssue({ code: "custom", path: [...path, name], message: unknownVariableMessage(unknown) });
  }
}

/**
 * Unknown variables (with the variable named) in every substitution and every Helm value,
 * base and overrides; overrides that name a Helm release the configuration lacks, or bring
 * substitutions to a configuration without Kustomizations.
 */
export function checkClusterValues(spec: WithValues, ctx: z.RefinementCtx): void {
  for (const [index, kustomization] of spec.kustomizations.entries()) {
    checkSubstitute(kustomization.postBuild.substitute, ["kustomizations", index, "postBuild", "substitute"], ctx);
  }
  for (const [index, release] of spec.helmReleases.entries()) checkValuesText(release.values, ["helmReleases", index, "values"], ctx);
  const releases = new Set(spec.helmReleases.map((release) => release.name));
  for (const [index, override] of spec.overrides.entries()) {
    checkSubstitute(override.substitute, ["overrides", index, "substitute"], ctx);
    if (Object.keys(override.substitute).length > 0 && spec.kustomizations.length === 0) {
      ctx.addIssue({ code: "custom", path: ["overrides", index, "substitute"], message: "has nothing to apply to: the configuration has no Kustomizations" });
    }
    for (const [release, values] of Object.entries(override.helmValues)) {
      if (!releases.has(release)) {
        ctx.addIssue({ code: "custom", path: ["overrides", index, "helmValues", release], message: `names no Helm release of this configuration (it has ${[...releases].join(", ") || "none"})` });
      }
      checkValuesText(values, ["overrides", index, "helmValues", release], ctx);
    }
  }
}

/** Bytes of override values, counted with the base values against the configuration's limit. */
export function overrideValuesTexts(overrides: readonly OverrideSpec[]): string[] {
  return overrides.flatMap((override) => Object.values(override.helmValues));
}

/** Warnings (not errors): selector overrides that match no registered cluster right now. */
export function overrideWarnings(overrides: readonly OverrideSpec[], fleet: ReadonlyArray<{ labels: Record<string, string> }>): Record<string, string> {
  const warnings: Record<string, string> = {};
  for (const [index, override] of overrides.entries()) {
    if (override.selector && !fleet.some((cluster) => matchesSelector(cluster.labels, override.selector!))) {
      warnings[`overrides.${index}.selector`] = "matches no registered cluster right now: this override has no effect until one does";
    }
  }
  return warnings;
}

/** A stored spec's overrides: versions stored before overrides existed have none. */
export function overridesOf(spec: { overrides?: readonly OverrideSpec[] }): readonly OverrideSpec[] {
  return spec.overrides ?? [];
}
