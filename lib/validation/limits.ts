import { z } from "zod";
import { ruleString, type RuleCheck } from "./rules";

/**
 * Request-size limits (hardening case 9). A push or a target list names clusters by id;
 * past these limits the answer is a clear error, not a slow request or a huge row.
 */

/** Clusters one configuration version may list explicitly; larger fleets use a label selector. */
export const MAX_TARGET_CLUSTER_IDS = 5000;
/** Clusters one push request may name. */
export const MAX_CLUSTERS_PER_PUSH = 5000;

export const MAX_ID_LENGTH = 64;

/** Ids of stored objects (clusters, credentials): opaque tokens such as UUIDs, cuids or integers. */
export const checkResourceId: RuleCheck = (value) => {
  if (value.length === 0) return "must not be empty";
  if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters`;
  return /^[A-Za-z0-9_-]+$/.test(value) ? undefined : "must contain only letters, digits, '_' and '-' (id)";
};

export const resourceIdSchema = ruleString(checkResourceId);

/** The message for a batch over its limit, or undefined when the batch fits. */
export function checkBatchSize(count: number, max: number, noun: string): string | undefined {
  if (count <= max) return undefined;
  return `must name at most ${max.toLocaleString("en-US")} ${noun} per request (got ${count.toLocaleString("en-US")}): split the request or use a label selector`;
}

/** A list of distinct cluster ids, at most `max` long. */
export function clusterIdListSchema(max: number) {
  return z
    .array(resourceIdSchema)
    .max(max, {
      error: (issue) =>
        checkBatchSize(Array.isArray(issue.input) ? issue.input.length : max + 1, max, "clusters") ?? "is too long",
    })
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      for (const [index, id] of ids.entries()) {
        if (seen.has(id)) ctx.addIssue({ code: "custom", path: [index], message: "is listed twice" });
        seen.add(id);
      }
    });
}

/** Cluster ids in one push request ("push this version to these clusters"). */
export const pushClusterIdsSchema = clusterIdListSchema(MAX_CLUSTERS_PER_PUSH);
