import { z } from "zod";
import { labelKeySchema, labelValueSchema } from "./names";

export const MAX_SELECTOR_REQUIREMENTS = 32;
export const MAX_SELECTOR_VALUES = 128;

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

const requirementSchema = z
  .object({
    key: labelKeySchema,
    operator: z.enum(OPERATORS, { error: "must be one of In, NotIn, Exists, DoesNotExist" }),
    values: z.array(labelValueSchema).max(MAX_SELECTOR_VALUES, `must have at most ${MAX_SELECTOR_VALUES} values`).optional(),
  })
  .superRefine((requirement, ctx) => {
    const count = requirement.values?.length ?? 0;
    const needsValues = requirement.operator === "In" || requirement.operator === "NotIn";
    // Kubernetes' own rule: set-based operators need values, existence operators forbid them.
    if (needsValues && count === 0) {
      ctx.addIssue({ code: "custom", path: ["values"], message: `must have at least one value for operator ${requirement.operator}` });
    }
    if (!needsValues && count > 0) {
      ctx.addIssue({ code: "custom", path: ["values"], message: `must be empty for operator ${requirement.operator}` });
    }
  });

export const labelSelectorSchema = z.object({
  matchLabels: z
    .record(labelKeySchema, labelValueSchema)
    .refine((labels) => Object.keys(labels).length <= MAX_SELECTOR_REQUIREMENTS, `must have at most ${MAX_SELECTOR_REQUIREMENTS} labels`)
    .optional(),
  matchExpressions: z
    .array(requirementSchema)
    .max(MAX_SELECTOR_REQUIREMENTS, `must have at most ${MAX_SELECTOR_REQUIREMENTS} expressions`)
    .optional(),
});

export type LabelSelector = z.infer<typeof labelSelectorSchema>;
export type LabelSelectorRequirement = z.infer<typeof requirementSchema>;

/** An empty selector matches everything in Kubernetes; callers that target clusters must refuse it. */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

function hasLabel(labels: Record<string, string>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/** Kubernetes label-selector semantics: every requirement must hold (logical AND). */
export function matchesSelector(labels: Record<string, string>, selector: LabelSelector): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!hasLabel(labels, key) || labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const present = hasLabel(labels, key);
    const value = labels[key];
    switch (operator) {
      case "In":
        if (!present || value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        // As in Kubernetes, an object without the key satisfies NotIn.
        if (present && value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
    }
  }
  return true;
}
