// Pure: the registration form's rules, shared by the browser form and the server action.
import { z } from "zod";
import { checkLabelKey, checkLabelValue, dnsLabelSchema, MAX_LABELS } from "@/lib/validation/k8s";
import { boundedText, ruleString } from "@/lib/validation/rules";

export const MAX_KUBECONFIG_BYTES = 1024 * 1024;

/**
 * "env=prod, region=eu-west" or one pair per line -> { env: "prod", region: "eu-west" }.
 * Errors name the pair and the Kubernetes rule it breaks.
 */
export function parseLabelsText(text: string): { ok: true; labels: Record<string, string> } | { ok: false; message: string } {
  const labels: Record<string, string> = {};
  const pairs = text.split(/[\n,]/).map((p) => p.trim()).filter(Boolean);
  if (pairs.length > MAX_LABELS) return { ok: false, message: `must have at most ${MAX_LABELS} labels` };
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq === -1) return { ok: false, message: `"${pair.slice(0, 80)}" is not key=value` };
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const problem = checkLabelKey(key) ?? checkLabelValue(value);
    if (problem) return { ok: false, message: `"${pair.slice(0, 80)}": ${problem}` };
    if (key in labels) return { ok: false, message: `"${key}" appears twice` };
    labels[key] = value;
  }
  return { ok: true, labels };
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

export const labelsTextSchema = z
  .string()
  .max(16 * 1024, "must be at most 16 KiB")
  .default("")
  .transform((text, ctx) => {
    const parsed = parseLabelsText(text);
    if (parsed.ok) return parsed.labels;
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z.NEVER;
  });

const optionalText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** Either a kubeconfig (with an optional chosen context) or an API server URL plus a token. */
export const credentialsInputSchema = z.discriminatedUnion("credentialMode", [
  z.object({
    credentialMode: z.literal("kubeconfig"),
    kubeconfig: z
      .string({ error: "is required" })
      .min(1, "is required")
      .refine((v) => new TextEncoder().encode(v).length <= MAX_KUBECONFIG_BYTES, "is larger than 1 MiB"),
    context: optionalText(253),
  }),
  z.object({
    credentialMode: z.literal("token"),
    server: z.string({ error: "is required" }).trim().min(1, "is required").max(2048, "must be at most 2048 characters"),
    token: z.string({ error: "is required" }).trim().min(1, "is required"),
    caData: optionalText(256 * 1024),
  }),
]);

// The input shape (optional keys optional), which parsed output also satisfies.
export type CredentialsInput = z.input<typeof credentialsInputSchema>;

export const clusterDetailsSchema = z.object({
  name: dnsLabelSchema,
  displayName: z
    .string()
    .trim()
    .max(100, "must be at most 100 characters")
    .superRefine((v, ctx) => {
      const problem = boundedText(100)(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .default(""),
  labels: labelsTextSchema,
});

export const registerClusterSchema = z.intersection(
  clusterDetailsSchema.extend({ saveUnreachable: z.enum(["true", "false"]).optional().default("false") }),
  credentialsInputSchema,
);

export type RegisterClusterInput = z.infer<typeof registerClusterSchema>;

export const labelsUpdateSchema = z.object({ clusterId: z.string().min(1), labels: labelsTextSchema });

export const nameConfirmationSchema = (expected: string) =>
  ruleString((v) => (v === expected ? undefined : `must be exactly "${expected}" to confirm`));
