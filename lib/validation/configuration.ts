import { z } from "zod";
import { strategySchema } from "@/lib/push/waves";
import { makeSourceSchema, sourceWarnings, type SourceSpec } from "./configuration-sources";
import {
  checkWorkloads,
  MAX_TOTAL_VALUES_BYTES,
  onlyWhenFieldsAreValid,
  workloadsShape,
  type HelmReleaseSpec,
  type KustomizationSpec,
} from "./configuration-workloads";
import { checkNotificationNames, notificationsShape, type AlertSpec, type NotificationsSpec, type ProviderSpec } from "./configuration-notifications";
import { checkClusterValues, overridesShape, overrideValuesTexts, type OverrideSpec } from "./configuration-overrides";
import { isEmptySelector, labelSelectorSchema } from "./label-selector";
import { clusterIdListSchema, MAX_TARGET_CLUSTER_IDS } from "./limits";
import { DNS_LABEL_MAX_LENGTH, dnsLabelSchema, dnsSubdomainSchema } from "./names";
import { checkChartName } from "./refs";
import { normalizeRepoPath } from "./repo-path";
import { boundedText, formatBytes, ruleString, utf8ByteLength } from "./rules";
import type { SourceUrlOptions } from "./urls";

export { workloadsStepSchema } from "./configuration-workloads";
export type { SourceUrlOptions } from "./urls";
export type { AlertSpec, HelmReleaseSpec, KustomizationSpec, NotificationsSpec, OverrideSpec, ProviderSpec, SourceSpec };

/**
 * The configuration model: what every immutable configuration version stores, validated
 * the same way by the wizard in the browser and by server actions.
 */

export const DEFAULT_NAMESPACE = "flux-system";
export const MAX_DESCRIPTION_LENGTH = 1000;

const basicsShape = {
  // Also the name of the source on the cluster and the prefix of every object name.
  name: dnsLabelSchema,
  scope: z.enum(["cluster", "namespace"], { error: "must be cluster or namespace" }),
  namespace: dnsLabelSchema.default(DEFAULT_NAMESPACE),
  description: ruleString(boundedText(MAX_DESCRIPTION_LENGTH, { multiline: true })).default(""),
  suspend: z.boolean().default(false),
  // Used only where a target cluster's reconciler is Argo CD; absent means Argo CD's "default" project.
  argo: z.object({ project: dnsSubdomainSchema }).optional(),
};

const targetsSchema = z
  .object({
    clusterIds: clusterIdListSchema(MAX_TARGET_CLUSTER_IDS).default(() => []),
    selector: labelSelectorSchema
      // In Kubernetes an empty selector matches everything; here it would silently mean "the whole fleet".
      .refine((selector) => !isEmptySelector(selector), "must have at least one label or expression (an empty selector would match every cluster)")
      .optional(),
  })
  .refine((targets) => targets.clusterIds.length > 0 || targets.selector !== undefined, {
    message: "choose at least one cluster or a label selector",
  });

export const basicsStepSchema = z.object(basicsShape);
// How a push of the version reaches its targets: waves with gates (absent: all at once, 16 at a time).
const rolloutShape = { strategy: strategySchema.optional() };
export const rolloutStepSchema = z.object(rolloutShape);
export const targetsStepSchema = z.object({ targets: targetsSchema });
export function makeSourceStepSchema(options: SourceUrlOptions = {}) {
  return z.object({ source: makeSourceSchema(options) });
}

type CrossFieldInput = {
  name: string;
  scope: "cluster" | "namespace";
  namespace: string;
  source: SourceSpec;
  kustomizations: KustomizationSpec[];
  helmReleases: HelmReleaseSpec[];
  overrides: OverrideSpec[];
};

/** A HelmRepository serves charts by name; a GitRepository holds them at a path. */
function chartProblem(source: SourceSpec, chart: string): string | undefined {
  if (source.kind === "HelmRepository") return checkChartName(chart);
  if (source.kind !== "GitRepository") return undefined;
  const result = normalizeRepoPath(chart);
  return result.ok ? undefined : result.error;
}

/** A namespace-scoped configuration applies as the account Fleetline renders for it, and reads health only in its namespace. */
function checkTenancy(spec: CrossFieldInput, index: number, kustomization: KustomizationSpec, ctx: z.RefinementCtx): void {
  if (spec.scope !== "namespace") return;
  if (kustomization.serviceAccountName !== undefined) {
    ctx.addIssue({ code: "custom", path: ["kustomizations", index, "serviceAccountName"], message: "is set by Fleetline for a namespace-scoped configuration (its own service account, bound to admin in the namespace); leave it empty" });
  }
  const outside = (kustomization.healthChecks ?? []).findIndex((check) => check.namespace !== undefined && check.namespace !== spec.namespace);
  if (outside !== -1) {
    ctx.addIssue({ code: "custom", path: ["kustomizations", index, "healthChecks"], message: `item ${outside + 1}: namespace must be the configuration's own namespace for a namespace-scoped configuration` });
  }
}

/** Rules that join steps: source kind against workloads, object-name lengths, namespace scope. */
function checkAcrossSteps(spec: CrossFieldInput, ctx: z.RefinementCtx): void {
  const { source } = spec;
  if (spec.kustomizations.length > 0 && source.kind === "HelmRepository") {
    ctx.addIssue({ code: "custom", path: ["kustomizations"], message: "need a GitRepository, OCIRepository or Bucket source; a HelmRepository only serves charts" });
  }
  if (spec.helmReleases.length > 0 && source.kind !== "HelmRepository" && source.kind !== "GitRepository") {
    ctx.addIssue({ code: "custom", path: ["helmReleases"], message: "need a HelmRepository or GitRepository source for their charts" });
  }
  const checkObjectName = (kind: "kustomizations" | "helmReleases", index: number, name: string) => {
    // Objects are named "<config>-<name>" and Flux copies the name into a label value (63 max).
    const length = spec.name.length + 1 + name.length;
    if (length > DNS_LABEL_MAX_LENGTH) {
      ctx.addIssue({ code: "custom", path: [kind, index, "name"], message: `with the configuration name, the object name "<configuration>-<name>" would be ${length} characters; the limit is ${DNS_LABEL_MAX_LENGTH}` });
    }
  };
  const checkScope = (kind: "kustomizations" | "helmReleases", index: number, targetNamespace: string | undefined) => {
    if (spec.scope === "namespace" && targetNamespace !== undefined && targetNamespace !== spec.namespace) {
      ctx.addIssue({ code: "custom", path: [kind, index, "targetNamespace"], message: "must be the configuration's own namespace for a namespace-scoped configuration" });
    }
  };
  for (const [index, kustomization] of spec.kustomizations.entries()) {
    checkObjectName("kustomizations", index, kustomization.name);
    checkScope("kustomizations", index, kustomization.targetNamespace);
    checkTenancy(spec, index, kustomization, ctx);
  }
  let valuesBytes = 0;
  for (const [index, release] of spec.helmReleases.entries()) {
    checkObjectName("helmReleases", index, release.name);
    checkScope("helmReleases", index, release.targetNamespace);
    valuesBytes += utf8ByteLength(release.values ?? "");
    const problem = chartProblem(source, release.chart);
    if (problem) ctx.addIssue({ code: "custom", path: ["helmReleases", index, "chart"], message: problem });
  }
  // Override values are stored with the version too, so they count against the same limit.
  for (const text of overrideValuesTexts(spec.overrides)) valuesBytes += utf8ByteLength(text);
  if (valuesBytes > MAX_TOTAL_VALUES_BYTES) {
    ctx.addIssue({ code: "custom", path: ["helmReleases"], message: `values of all Helm releases must be at most ${formatBytes(MAX_TOTAL_VALUES_BYTES)} together (got ${formatBytes(valuesBytes)})` });
  }
}

/** The whole configuration spec for one URL policy: pass `allowLocalSources` from the admin setting. */
export function makeConfigurationSpecSchema(options: SourceUrlOptions = {}) {
  return z
    .object({
      ...basicsShape,
      source: makeSourceSchema(options),
      ...workloadsShape,
      targets: targetsSchema,
      ...overridesShape,
      ...rolloutShape,
      ...notificationsShape,
    })
    .superRefine(
      (spec, ctx) => {
        checkWorkloads(spec, ctx);
        checkAcrossSteps(spec, ctx);
        checkClusterValues(spec, ctx);
        checkNotificationNames(spec, ctx);
      },
      { when: onlyWhenFieldsAreValid },
    );
}

/** The spec under the default policy (local source hosts refused). */
export const configurationSpecSchema = makeConfigurationSpecSchema();

export type ConfigurationSpec = z.output<typeof configurationSpecSchema>;
export type ConfigurationSpecInput = z.input<typeof configurationSpecSchema>;

/** Non-blocking advice for a valid spec (plain http and the like), keyed by dotted field path. */
export function collectSpecWarnings(spec: ConfigurationSpec, options: SourceUrlOptions = {}): Record<string, string> {
  return sourceWarnings(spec.source, options);
}

/**
 * Issues keyed by dotted field path ("kustomizations.1.path"; "" for the form itself),
 * first message per field. Record-key issues carry the message of the rule the key broke.
 */
export function formatZodErrors(error: z.ZodError): Record<string, string> {
  // A Map, not an object literal: paths include user-chosen record keys such as "__proto__".
  const fields = new Map<string, string>();
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    if (!fields.has(path)) fields.set(path, message);
  }
  return Object.fromEntries(fields);
}
