import "server-only";
import { inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { findConfigurationByName } from "@/lib/configurations/store";
import { checkConfigurationSpec, invalidResult } from "@/lib/configurations/validate";
import { toRenderCredential } from "@/lib/credentials/store";
import { maskSecrets, renderFluxObjects, toYaml, type KubeObject as RenderedObject } from "@/lib/flux/render";
import { ClusterError, withRetry, type FieldConflict, type KubeObject } from "@/lib/k8s/client";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { formatZodErrors } from "@/lib/validation/configuration";
import { pushClusterIdsSchema } from "@/lib/validation/limits";
import { applyOwned, findDropped, isClusterLevel, refOf, type ClusterStep } from "./apply";
import { describeFailure, onCluster, pushSettings, type PushSettings } from "./cluster-run";
import { changedPaths } from "./diff";
import { describeRef, objectPath } from "./kinds";

export type DryRunAction = "create" | "change" | "unchanged" | "delete" | "conflict" | "invalid" | "error";

export type ObjectDryRun = {
  /** "Kind namespace/name" */
  object: string;
  action: DryRunAction;
  /** The API server's words for invalid / conflict / error; a note for create when it could not validate. */
  message?: string;
  /** For "change": the field paths that would change (names only, Secret values never appear). */
  changedFields?: string[];
  conflicts?: FieldConflict[];
};

export type ClusterDryRun = { clusterId: string; clusterName: string; status: "ok" | "failed"; error?: string; objects: ObjectDryRun[] };

export type DryRunResult =
  | ReturnType<typeof invalidResult>
  | {
      status: "ok";
      /** The rendered objects as multi-document YAML, Secret values masked. Rendering does not depend on the cluster, so it is the same for each. */
      yaml: string;
      clusters: ClusterDryRun[];
    };

async function readLive(step: ClusterStep, object: RenderedObject): Promise<KubeObject | undefined> {
  try {
    return await withRetry(() => step.client.get<KubeObject>(objectPath(refOf(object))), step.retry);
  } catch (error) {
    if (error instanceof ClusterError && error.kind === "not-found") return undefined;
    throw error;
  }
}

async function dryRunObject(step: ClusterStep, object: RenderedObject, missingNamespace: string | undefined): Promise<ObjectDryRun> {
  const name = describeRef(refOf(object));
  step.deadline.check();
  const live = await readLive(step, object);
  try {
    const result = await applyOwned(step, object, { dryRun: true });
    if (!live) return { object: name, action: "create" };
    const changedFields = changedPaths(live, result);
    return changedFields.length > 0 ? { object: name, action: "change", changedFields } : { object: name, action: "unchanged" };
  } catch (error) {
    // Connection-wide failures are reported once, on the cluster, not on every object.
    if (isClusterLevel(error) || !(error instanceof ClusterError)) throw error;
    // A 404 from the server itself (not "kind not served", which has no status) means the namespace is missing.
    if (error.kind === "not-found" && error.status === 404 && missingNamespace !== undefined && object.metadata.namespace === missingNamespace) {
      return { object: name, action: "create", message: `namespace ${missingNamespace} does not exist yet, so the API server can only validate this object when it is created` };
    }
    const message = describeFailure(error);
    if (error.kind === "conflict") return { object: name, action: "conflict", message, conflicts: error.conflicts };
    if (error.kind === "invalid") return { object: name, action: "invalid", message };
    return { object: name, action: "error", message };
  }
}

async function dryRunCluster(step: ClusterStep, configurationName: string, objects: readonly RenderedObject[]): Promise<ObjectDryRun[]> {
  const results: ObjectDryRun[] = [];
  let missingNamespace: string | undefined;
  for (const object of objects) {
    const result = await dryRunObject(step, object, missingNamespace);
    if (object.kind === "Namespace" && result.action === "create") missingNamespace = object.metadata.name;
    results.push(result);
  }
  for (const ref of await findDropped(step, configurationName, objects)) results.push({ object: describeRef(ref), action: "delete", message: "not in this version: it would be deleted" });
  return results;
}

function checkClusterIds(clusterIds: readonly string[]): Record<string, string> | { id: string; name: string; credentials: string }[] {
  const parsed = pushClusterIdsSchema.safeParse(clusterIds);
  if (!parsed.success) return Object.fromEntries(Object.entries(formatZodErrors(parsed.error)).map(([k, v]) => [k ? `clusterIds.${k}` : "clusterIds", v]));
  const rows = getDb().select({ id: clusters.id, name: clusters.name, credentials: clusters.credentials }).from(clusters).where(inArray(clusters.id, parsed.data)).all();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = Object.fromEntries(parsed.data.flatMap((id, index) => (byId.has(id) ? [] : [[`clusterIds.${index}`, "is not a registered cluster"]])));
  return Object.keys(missing).length > 0 ? missing : parsed.data.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The wizard's Review step: validates the spec as a save would, renders it, and asks each
 * cluster's API server what a push would do (server-side apply with dryRun=All): create,
 * change (with the fields), unchanged, delete (objects the version dropped), or the server's
 * validation error. Nothing is written anywhere.
 */
export async function dryRunConfiguration(input: unknown, clusterIds: readonly string[], overrides: Partial<PushSettings> = {}): Promise<DryRunResult> {
  const checked = checkConfigurationSpec(input);
  const targets = checkClusterIds(clusterIds);
  if (!checked.ok || !Array.isArray(targets)) return invalidResult({ ...(checked.ok ? {} : checked.fieldErrors), ...(Array.isArray(targets) ? {} : targets) });
  const { spec } = checked;
  // An existing configuration's next version; otherwise a placeholder id (only the id annotation shows it).
  const existing = findConfigurationByName(spec.name);
  const configurationId = existing?.id ?? "new";
  const version = (existing?.currentVersion ?? 0) + 1;
  let objects: RenderedObject[];
  try {
    const credential = spec.source.credentialId === undefined ? undefined : toRenderCredential(spec.source.credentialId, spec.source);
    objects = renderFluxObjects({ spec, version, configurationId, ...(credential ? { credential } : {}) });
  } catch (error) {
    return invalidResult({ source: describeFailure(error) });
  }
  const settings = pushSettings(overrides);
  const settled = await mapWithConcurrency(targets, settings.concurrency, (cluster) => onCluster(cluster, settings, (step) => dryRunCluster(step, spec.name, objects)));
  const results = settled.map((outcome, index): ClusterDryRun => {
    const cluster = targets[index]!;
    if (outcome.status === "fulfilled") return { clusterId: cluster.id, clusterName: cluster.name, status: "ok", objects: outcome.value };
    return { clusterId: cluster.id, clusterName: cluster.name, status: "failed", error: describeFailure(outcome.reason, { clusterId: cluster.id }), objects: [] };
  });
  return { status: "ok", yaml: toYaml(maskSecrets(objects)), clusters: results };
}
