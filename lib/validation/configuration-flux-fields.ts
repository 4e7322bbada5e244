import { z } from "zod";
import { resourceIdSchema } from "./limits";
import { timeoutSchema } from "./duration";
import { checkDnsSubdomain, dnsLabelSchema, dnsSubdomainSchema } from "./names";
import { boundedText, formatBytes, requiredString, ruleString, utf8ByteLength } from "./rules";
import { parseYamlWithLimits } from "./safe-yaml";

/**
 * The Flux fields teams ask for beyond the basics (issue 18 §3), checked against Flux's API:
 * kustomize-controller api/v1 KustomizationSpec and helm-controller api/v2 HelmReleaseSpec.
 * List-valued fields are edited in the wizard as YAML in Flux's own shape; they are validated
 * as one field, and a bad item is named by its position ("item 2: ...") so the message lands
 * on the field the person edits.
 */

export const MAX_LIST_ITEMS = 50;
export const MAX_PATCH_BYTES = 64 * 1024;
/** Every patch of one Kustomization together. */
export const MAX_PATCHES_BYTES = 256 * 1024;
export const MAX_HELM_HISTORY = 100;
export const MAX_REMEDIATION_RETRIES = 100;

const LIST_YAML_LIMITS = { maxBytes: MAX_PATCHES_BYTES, maxDepth: 32, maxAliasCount: 0 };

/** The first issue of a failed item parse, as "item N: field message". */
function itemProblem(index: number, error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join(".")} ` : "";
  return `item ${index + 1}: ${where}${issue?.message ?? "is invalid"}`;
}

/**
 * A list field given as a list or as YAML text of one (the wizard's form). Output: the typed list,
 * or undefined when absent or empty (stored versions from before a field existed lack it too).
 * Errors are reported on the field itself.
 */
export function yamlListSchema<T extends z.ZodType>(item: T, { max = MAX_LIST_ITEMS, noun }: { max?: number; noun: string }) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): Array<z.output<T>> | undefined => {
    let list: unknown = value;
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") {
      if (value.trim() === "") return undefined;
      const parsed = parseYamlWithLimits(value, LIST_YAML_LIMITS);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.error });
        return z.NEVER;
      }
      list = parsed.value;
    }
    if (!Array.isArray(list)) {
      ctx.addIssue({ code: "custom", message: `must be a YAML list of ${noun} (each item starting with "- ")` });
      return z.NEVER;
    }
    if (list.length > max) {
      ctx.addIssue({ code: "custom", message: `must have at most ${max} ${noun}` });
      return z.NEVER;
    }
    const out: Array<z.output<T>> = [];
    for (const [index, raw] of list.entries()) {
      const result = item.safeParse(raw);
      if (!result.success) {
        ctx.addIssue({ code: "custom", message: itemProblem(index, result.error) });
        return z.NEVER;
      }
      out.push(result.data);
    }
    return out.length > 0 ? out : undefined;
  });
}

/** A list of strings given as a list or as text with one per line; a bad line is named by its number. */
export function linesListSchema(item: z.ZodType<string>, { max, noun }: { max: number; noun: string }) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string[] | undefined => {
      const lines = typeof value === "string" ? value.split("\n").map((line) => line.trim()).filter(Boolean) : value;
      if (lines === undefined || lines === null) return undefined;
      if (!Array.isArray(lines)) {
        ctx.addIssue({ code: "custom", message: `must be a list of ${noun}` });
        return z.NEVER;
      }
      if (lines.length > max) {
        ctx.addIssue({ code: "custom", message: `must have at most ${max} ${noun}` });
        return z.NEVER;
      }
      const out: string[] = [];
      for (const [index, raw] of lines.entries()) {
        const result = item.safeParse(raw);
        if (!result.success) {
          ctx.addIssue({ code: "custom", message: `line ${index + 1}: ${result.error.issues[0]?.message ?? "is invalid"}` });
          return z.NEVER;
        }
        out.push(result.data);
      }
      return out.length > 0 ? out : undefined;
    });
}

const strictObject = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: (issue) => (issue.code === "unrecognized_keys" ? `has an unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")} (Flux would drop it)` : "must be a mapping") });

const kindSchema = ruleString((value) => (/^[A-Z][A-Za-z0-9]{0,62}$/.test(value) ? undefined : "must be a Kubernetes kind such as Deployment"));
const apiVersionSchema = ruleString((value) => (/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(value) ? undefined : "must be an API version such as apps/v1"));
const selectorText = ruleString(boundedText(1024));

// postBuild.substituteFrom: kustomize-controller SubstituteReference.
export const substituteFromItemSchema = strictObject({
  kind: z.enum(["ConfigMap", "Secret"], { error: "must be ConfigMap or Secret" }),
  name: dnsSubdomainSchema,
  optional: z.boolean({ error: "must be true or false" }).optional(),
});

// patches: fluxcd/pkg/apis/kustomize Patch {patch, target: Selector}.
const patchTargetSchema = strictObject({
  group: ruleString(boundedText(253)).optional(),
  version: ruleString(boundedText(63)).optional(),
  kind: kindSchema.optional(),
  name: ruleString(boundedText(253)).optional(),
  namespace: ruleString(boundedText(63)).optional(),
  labelSelector: selectorText.optional(),
  annotationSelector: selectorText.optional(),
});

const JSON6902_OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** Why a patch text is unusable: strategic merge (a mapping) or JSON 6902 (a list of operations, which needs a target). */
function patchProblem(patch: string, hasTarget: boolean): string | undefined {
  if (utf8ByteLength(patch) > MAX_PATCH_BYTES) return `must be at most ${formatBytes(MAX_PATCH_BYTES)}`;
  const parsed = parseYamlWithLimits(patch, { ...LIST_YAML_LIMITS, maxBytes: MAX_PATCH_BYTES });
  if (!parsed.ok) return parsed.error;
  const value = parsed.value;
  if (Array.isArray(value)) {
    if (!hasTarget) return "is a JSON 6902 patch (a list of operations) and needs a target";
    for (const [index, op] of value.entries()) {
      const o = op as { op?: unknown; path?: unknown } | null;
      if (typeof o !== "object" || o === null || !JSON6902_OPS.has(String(o.op))) return `operation ${index + 1} must have op add, remove, replace, move, copy or test`;
      if (typeof o.path !== "string" || !o.path.startsWith("/")) return `operation ${index + 1} must have a path starting with "/"`;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return "must be a strategic-merge patch (a YAML mapping) or a JSON 6902 patch (a YAML list of operations)";
  const { kind, metadata } = value as { kind?: unknown; metadata?: { name?: unknown } | null };
  if (!hasTarget && (typeof kind !== "string" || typeof metadata?.name !== "string")) return "without a target, a strategic-merge patch must name its object (kind and metadata.name)";
  return undefined;
}

export const patchItemSchema = strictObject({ patch: requiredString(), target: patchTargetSchema.optional() }).superRefine((item, ctx) => {
  const problem = patchProblem(item.patch, item.target !== undefined);
  if (problem) ctx.addIssue({ code: "custom", path: ["patch"], message: problem });
});

// images: fluxcd/pkg/apis/kustomize Image.
const imageRef = ruleString((value) => (/^[a-z0-9]+([._\-/:][a-z0-9]+)*$/i.test(value) && value.length <= 255 ? undefined : "must be an image name such as ghcr.io/org/app"));
export const imageItemSchema = strictObject({
  name: imageRef,
  newName: imageRef.optional(),
  newTag: ruleString((value) => (/^[\w][\w.-]{0,127}$/.test(value) ? undefined : "must be an image tag (letters, digits, '_', '.', '-'; at most 128)")).optional(),
  digest: ruleString((value) => (/^sha256:[a-f0-9]{64}$/.test(value) ? undefined : "must be sha256: and 64 lowercase hex digits")).optional(),
}).superRefine((image, ctx) => {
  if (image.newName === undefined && image.newTag === undefined && image.digest === undefined) {
    ctx.addIssue({ code: "custom", message: "must set newName, newTag or digest" });
  }
});

// healthChecks: fluxcd/pkg/apis/meta NamespacedObjectKindReference.
export const healthCheckItemSchema = strictObject({
  apiVersion: apiVersionSchema.optional(),
  kind: kindSchema,
  name: dnsSubdomainSchema,
  namespace: dnsLabelSchema.optional(),
});

// components: paths relative to the Kustomization's path (kustomize Components).
const componentSchema = ruleString((value) => {
  if (value.length === 0 || value.length > 1024) return "must be a path of 1 to 1024 characters";
  if (value.startsWith("/")) return "must be relative to the Kustomization path, not absolute";
  if (/[\\:]/.test(value) || value.split("/").some((part) => part === "")) return "must be a relative path such as ../components/ingress";
  return boundedText(1024)(value);
});

export const DELETION_POLICIES = ["MirrorPrune", "Delete", "WaitForTermination", "Orphan"] as const;

/** Added to the Kustomization schema (configuration-workloads.ts). */
export const kustomizationFluxFields = {
  substituteFrom: yamlListSchema(substituteFromItemSchema, { noun: "ConfigMap or Secret references", max: 20 }).optional(),
  patches: yamlListSchema(patchItemSchema, { noun: "patches" }).optional(),
  images: yamlListSchema(imageItemSchema, { noun: "images" }).optional(),
  healthChecks: yamlListSchema(healthCheckItemSchema, { noun: "health checks" }).optional(),
  components: linesListSchema(componentSchema, { noun: "components", max: 20 }).optional(),
  deletionPolicy: z.enum(DELETION_POLICIES, { error: `must be ${DELETION_POLICIES.join(", ")}` }).optional(),
  serviceAccountName: ruleString(checkDnsSubdomain).optional(),
  // decryption: kustomize-controller Decryption {provider: sops, secretRef}. Without a key
  // credential the controller decrypts with its own identity (a cloud KMS through workload identity).
  decryption: z.object({ provider: z.literal("sops", { error: "must be sops" }), credentialId: resourceIdSchema.optional() }).optional(),
};

// valuesFrom: helm-controller api/v2 ValuesReference.
export const valuesFromItemSchema = strictObject({
  kind: z.enum(["ConfigMap", "Secret"], { error: "must be ConfigMap or Secret" }),
  name: dnsSubdomainSchema,
  valuesKey: ruleString((value) => (/^[-._a-zA-Z0-9]{1,253}$/.test(value) ? undefined : "must be a data key (letters, digits, '-', '_', '.'; at most 253)")).optional(),
  targetPath: ruleString((value) => (value.length <= 250 && /^[^\s,]+$/.test(value) ? undefined : "must be a dotted values path without spaces or commas (at most 250)")).optional(),
  optional: z.boolean({ error: "must be true or false" }).optional(),
});

const retriesSchema = z.number({ error: "must be a whole number" }).int("must be a whole number").min(-1, "must be -1 (retry forever) or more").max(MAX_REMEDIATION_RETRIES, `must be at most ${MAX_REMEDIATION_RETRIES}`);

/** Added to the HelmRelease schema (configuration-workloads.ts). */
export const helmReleaseFluxFields = {
  dependsOn: z.array(dnsLabelSchema).max(19, "must name at most 19 Helm releases").optional(),
  timeout: timeoutSchema.optional(),
  maxHistory: z.number({ error: "must be a whole number" }).int("must be a whole number").min(0, "must be 0 (unlimited) or more").max(MAX_HELM_HISTORY, `must be at most ${MAX_HELM_HISTORY}`).optional(),
  install: z.object({ remediation: z.object({ retries: retriesSchema.optional(), remediateLastFailure: z.boolean().optional() }).optional() }).optional(),
  upgrade: z
    .object({
      remediation: z
        .object({
          retries: retriesSchema.optional(),
          remediateLastFailure: z.boolean().optional(),
          strategy: z.enum(["rollback", "uninstall"], { error: "must be rollback or uninstall" }).optional(),
        })
        .optional(),
    })
    .optional(),
  valuesFrom: yamlListSchema(valuesFromItemSchema, { noun: "ConfigMap or Secret references", max: 20 }).optional(),
  driftDetection: z.object({ mode: z.enum(["enabled", "warn", "disabled"], { error: "must be enabled, warn or disabled" }) }).optional(),
};
