import { z } from "zod";
import { AUDIT_OUTCOMES, COMPLIANCE_STATES } from "@/db/enums";
import { ROLLOUT_CLUSTER_STATES, ROLLOUT_STATES } from "@/db/schema-configurations";
import { parseDurationMs } from "@/lib/validation/duration";
import { configurationSpecSchema } from "@/lib/validation/configuration";
import { pushClusterIdsSchema, resourceIdSchema } from "@/lib/validation/limits";
import { labelsSchema } from "@/lib/validation/names";
import { MAX_WAIT_MS } from "@/lib/push/reconciliation-wait";

// The request and response shapes of /api/v1: the route handlers parse with these, and
// lib/api/openapi.ts turns the same objects into the OpenAPI document. Bodies are strict: a
// misspelt key ("wiat") is a 422 naming it, not a push that silently does not wait.

const MAX_WAIT_TEXT = "30m";

/** `"10m"`, `"90s"`, `"1h30m"`: how long a push waits for its targets to reconcile, at most 30m. */
export const waitSchema = z
  .string()
  .max(20, "must be a duration such as 10m")
  .refine((text) => parseDurationMs(text) !== undefined, "must be a duration such as 90s, 10m or 1h")
  .refine((text) => (parseDurationMs(text) ?? 0) <= MAX_WAIT_MS, `must be at most ${MAX_WAIT_TEXT}`)
  .meta({ description: `A Go duration (90s, 10m); at most ${MAX_WAIT_TEXT}.`, examples: ["10m"] });

export const pushBodySchema = z.strictObject({
  clusterIds: pushClusterIdsSchema.optional().meta({ description: "Re-push to these targets only (ids); omitted: every target." }),
  wait: waitSchema.optional(),
});

export const rolloutActionBodySchema = z.strictObject({
  clusterId: z.string().max(100).optional().meta({ description: "skip: the cluster to skip." }),
});

export const idParamSchema = z.string().min(1).max(100);

export const statusQuerySchema = z.object({
  state: z.enum(COMPLIANCE_STATES, { error: `must be one of ${COMPLIANCE_STATES.join(", ")}` }).optional(),
  search: z.string().trim().max(200, "must be at most 200 characters").optional(),
});

export const auditQuerySchema = z.object({
  actor: z.string().trim().max(200, "must be at most 200 characters").optional(),
  action: z.string().trim().max(200, "must be at most 200 characters").optional(),
  target: z.string().trim().max(200, "must be at most 200 characters").optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { error: `must be one of ${AUDIT_OUTCOMES.join(", ")}` }).optional(),
  page: z.coerce.number({ error: "must be a whole number from 1" }).int("must be a whole number from 1").min(1, "must be a whole number from 1").max(100_000).default(1),
});

// Responses (documented, not re-validated: the handlers build them from typed queries).
const isoDate = z.string().meta({ format: "date-time" });
export const errorSchema = z.object({ error: z.string(), fieldErrors: z.record(z.string(), z.string()).optional(), limit: z.number().optional() });
export const pageOf = (item: z.ZodType) => z.object({ page: z.number(), pageSize: z.number(), total: z.number(), items: z.array(item) });

export const configurationSchema = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  currentVersion: z.number(),
  pushedVersion: z.number().nullable(),
  isSuspended: z.boolean(),
  createdBy: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  targetCount: z.number(),
});
export const configurationDetailSchema = configurationSchema.extend({ spec: z.record(z.string(), z.unknown()), targets: z.array(z.object({ clusterId: z.string(), clusterName: z.string(), reason: z.string() })) });
export const versionSchema = z.object({ version: z.number(), author: z.string(), message: z.string(), createdAt: isoDate });

export const statusRowSchema = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  state: z.enum(COMPLIANCE_STATES),
  reason: z.string().nullable(),
  appliedVersion: z.number().nullable(),
  isStale: z.boolean(),
  observedAt: isoDate,
});
export const statusPageSchema = pageOf(statusRowSchema).extend({ byState: z.record(z.string(), z.number()) });

export const rolloutSchema = z.object({
  id: z.string(),
  configurationId: z.string(),
  configurationName: z.string(),
  version: z.number(),
  state: z.enum(ROLLOUT_STATES),
  createdBy: z.string(),
  createdAt: isoDate,
  finishedAt: isoDate.nullable(),
  counts: z.record(z.string(), z.number()),
  control: z.record(z.string(), z.unknown()).meta({ description: "Waves, the current wave, its phase and gate, approvals, pause." }),
  clusters: z.array(z.object({ clusterId: z.string(), clusterName: z.string(), state: z.enum(ROLLOUT_CLUSTER_STATES), reason: z.string().nullable(), wave: z.number(), compliance: z.string().nullable(), appliedVersion: z.number().nullable() })),
});

export const controlResultSchema = z.object({ message: z.string(), rolloutId: z.string().optional() });

export const waitClusterSchema = z.object({ clusterId: z.string(), cluster: z.string(), push: z.string(), state: z.string(), reason: z.string().nullable(), appliedVersion: z.number().nullable() });
export const pushResultSchema = z.object({
  rolloutId: z.string(),
  version: z.number(),
  result: z.enum(["started", "compliant", "failed", "timeout"]).meta({ description: "started: no wait asked; the others answer a wait." }),
  rolloutState: z.string().optional(),
  targets: z.number().optional(),
  compliant: z.number().optional(),
  clusters: z.array(waitClusterSchema).optional().meta({ description: "The targets not yet Compliant on the pushed version, and why." }),
  error: z.string().optional(),
});

export const complianceSummarySchema = z.looseObject({
  fleet: z.record(z.string(), z.number()),
  clusters: z.record(z.string(), z.number()),
  byConfiguration: z.array(z.object({ configurationId: z.string(), name: z.string(), counts: z.record(z.string(), z.number()) })),
  nonCompliant: z.array(z.record(z.string(), z.unknown())),
});

export const auditEntrySchema = z.object({
  id: z.number(),
  at: isoDate,
  actorEmail: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  details: z.record(z.string(), z.unknown()),
});

export const createVersionBodySchema = z.strictObject({
  spec: configurationSpecSchema.meta({ description: "The whole configuration as the wizard saves it; errors come back keyed spec.<field>." }),
  message: z.string().optional().meta({ description: "The change message, as on the page (one line or more, at most 1,000 characters)." }),
});
/** What the handler reads before the store validates the spec itself (with its cross-field checks). */
export const createVersionEnvelopeSchema = z.strictObject({ spec: z.looseObject({}, { error: "is required: the configuration" }), message: z.string({ error: "must be text" }).optional() });
export const createdVersionSchema = z.object({ configurationId: z.string(), version: z.number() });

export const reconcileBodySchema = z.strictObject({
  clusterId: resourceIdSchema,
  withSource: z.boolean({ error: "must be true or false" }).default(false).meta({ description: "Flux: reconcile the source first; Argo CD: sync, not only refresh." }),
});
export const suspendBodySchema = z.strictObject({ clusterId: resourceIdSchema.optional().meta({ description: "One cluster; omitted: every target." }) });
export const verbResultSchema = z.object({ message: z.string(), clusters: z.array(z.object({ clusterId: z.string(), clusterName: z.string(), status: z.enum(["ok", "failed"]), error: z.string().optional() })).optional() });

export const clusterDetailSchema = z.looseObject({ id: z.string(), name: z.string(), labels: z.record(z.string(), z.string()), server: z.string(), health: z.record(z.string(), z.unknown()).nullable(), fluxObjects: z.array(z.record(z.string(), z.unknown())) });
export const fleetStatusSchema = z.looseObject({ totals: z.record(z.string(), z.unknown()), attention: z.object({ total: z.number(), rows: z.array(z.record(z.string(), z.unknown())) }), mostNonCompliant: z.array(z.record(z.string(), z.unknown())) });

export const clusterLabelsBodySchema = z.strictObject({
  labels: labelsSchema.meta({ description: "Every label the cluster will have (replaces them); keys and values as Kubernetes labels, at most 64." }),
});
export const clusterLabelsResultSchema = z.object({ clusterId: z.string(), labels: z.record(z.string(), z.string()) });

export const clusterStatusSchema = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  items: z.array(z.object({ configurationId: z.string(), configurationName: z.string(), state: z.enum(COMPLIANCE_STATES), reason: z.string().nullable(), appliedVersion: z.number().nullable(), isStale: z.boolean(), observedAt: isoDate })),
});

export const rollbackBodySchema = z.strictObject({
  version: z.number({ error: "must be a version number" }).int("must be a whole version number").min(1, "must be a version number from 1").meta({ description: "The earlier version whose spec is saved as a new version and pushed." }),
  confirmedTargets: z
    .number({ error: "is required: the number of clusters the rolled-back version targets, as the page's confirmation" })
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .meta({ description: "The number of clusters the rollback pushes to (as the Versions tab asks the person to confirm); a 422 names the current number when it differs." }),
});
export const rollbackResultSchema = z.object({ version: z.number(), rolloutId: z.string().nullable(), result: z.literal("started") });
