import "server-only";
import { inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { credentialProblemForSource, keyCredentialProblems } from "@/lib/credentials/store";
import { env } from "@/lib/env";
import { formatZodErrors, makeConfigurationSpecSchema, type ConfigurationSpec } from "@/lib/validation/configuration";
import { boundedText } from "@/lib/validation/rules";
import { highlightedFields } from "@/lib/validation/field-labels";
import { loadCluster } from "@/lib/reconcilers";
import { nameCollisions } from "./object-names";
import { resolveTargets } from "./targets";

export type SpecCheck = { ok: true; spec: ConfigurationSpec } | { ok: false; fieldErrors: Record<string, string> };

export const MAX_CHANGE_MESSAGE_LENGTH = 1000;

let cachedSchema: { allowLocalSources: boolean; schema: ReturnType<typeof makeConfigurationSpecSchema> } | undefined;

/** The spec schema under the current source-URL policy (built once per policy: it is not cheap). */
function specSchema() {
  const allowLocalSources = env().FLEETLINE_ALLOW_LOCAL_SOURCES;
  if (cachedSchema?.allowLocalSources !== allowLocalSources) {
    cachedSchema = { allowLocalSources, schema: makeConfigurationSpecSchema({ allowLocalSources }) };
  }
  return cachedSchema.schema;
}

/**
 * Everything a spec must pass before it is stored, rendered or dry-run: the shared zod
 * schema, then the checks that need the database (the credential exists, is bound to the
 * source's host and suits its kind; explicitly listed clusters exist; no object it renders is
 * another configuration's, so no push can take one over). Errors are keyed by
 * dotted field path, as the wizard shows them.
 */
export function checkConfigurationSpec(input: unknown): SpecCheck {
  const parsed = specSchema().safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: formatZodErrors(parsed.error) };
  const spec = parsed.data;
  const fieldErrors: Record<string, string> = {};
  if (spec.source.credentialId !== undefined) {
    const problem = credentialProblemForSource(spec.source.credentialId, spec.source);
    if (problem) fieldErrors["source.credentialId"] = problem;
  }
  Object.assign(fieldErrors, keyCredentialProblems(spec));
  const ids = spec.targets.clusterIds;
  const overrideIds = spec.overrides.flatMap((override) => (override.clusterId === undefined ? [] : [override.clusterId]));
  if (ids.length > 0 || overrideIds.length > 0) {
    const known = new Set(getDb().select({ id: clusters.id }).from(clusters).where(inArray(clusters.id, [...new Set([...ids, ...overrideIds])])).all().map((row) => row.id));
    for (const [index, id] of ids.entries()) {
      if (!known.has(id)) fieldErrors[`targets.clusterIds.${index}`] = "is not a registered cluster";
    }
    for (const [index, override] of spec.overrides.entries()) {
      if (override.clusterId !== undefined && !known.has(override.clusterId)) fieldErrors[`overrides.${index}.clusterId`] = "is not a registered cluster";
    }
  }
  const argoProblem = argoNotificationsProblem(spec);
  if (argoProblem) fieldErrors.notifications = argoProblem;
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  // Last: it renders the spec, which needs a credential that passed the checks above.
  const collisions = nameCollisions(spec);
  return Object.keys(collisions).length > 0 ? { ok: false, fieldErrors: collisions } : { ok: true, spec };
}

/**
 * Flux alerts are Flux objects: a configuration whose targets include an Argo CD cluster (by the
 * admin's override or by detection) refuses them, rather than push half of what it says.
 */
function argoNotificationsProblem(spec: ConfigurationSpec): string | undefined {
  const { notifications } = spec;
  if (!notifications || (notifications.providers.length === 0 && notifications.alerts.length === 0)) return undefined;
  const argo = resolveTargets(spec.targets).filter((target) => loadCluster(target.clusterId)?.reconciler === "argocd");
  if (argo.length === 0) return undefined;
  const names = argo.slice(0, 3).map((t) => t.clusterName).join(", ");
  return `are Flux only (notification-controller Providers and Alerts): ${argo.length === 1 ? "target" : "targets"} ${names}${argo.length > 3 ? ` and ${argo.length - 3} more` : ""} ${argo.length === 1 ? "runs" : "run"} Argo CD; remove the alerts or those targets`;
}

/** The change message stored with a version: optional, bounded, no control characters but line breaks. */
export function checkChangeMessage(message: string | undefined): string | undefined {
  return boundedText(MAX_CHANGE_MESSAGE_LENGTH, { multiline: true })(message ?? "");
}

export function invalidResult(fieldErrors: Record<string, string>) {
  return { status: "invalid" as const, fieldErrors, message: highlightedFields(Object.keys(fieldErrors)) };
}
