import "server-only";
import { inArray } from "drizzle-orm";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Reconciler } from "@/db/schema";
import type { UnsupportedField } from "@/lib/reconcilers/argo/render";
import { findConfigurationByName } from "@/lib/configurations/store";
import { checkConfigurationSpec, invalidResult } from "@/lib/configurations/validate";
import { renderKeysFor, toRenderCredential } from "@/lib/credentials/store";
import { maskSecrets, toYaml, type KubeObject as RenderedObject, type RenderInput } from "@/lib/reconcilers/flux/render";
import { ClusterError, withRetry, type FieldConflict, type KubeObject } from "@/lib/k8s/client";
import { mapWithConcurrency } from "@/lib/k8s/concurrency";
import { formatZodErrors } from "@/lib/validation/configuration";
import { pushClusterIdsSchema } from "@/lib/validation/limits";
import { applyOwned, findDropped, isClusterLevel, refOf, type ClusterStep } from "./apply";
import { describeFailure, onCluster, PushRefused, pushSettings, type PushSettings } from "./cluster-run";
import { changedPaths } from "./diff";
import { describeRef, objectPath } from "@/lib/reconcilers/kinds";
import { detectReconciler, NO_RECONCILER, reconcilerById, reconcilerIdFor, RECONCILERS } from "@/lib/reconcilers";
import { RECONCILER_NAMES } from "@/lib/reconcilers/render";
import { clusterFacts } from "@/lib/reconcilers/cluster-facts";
import { clusterRenderKey } from "@/lib/reconcilers/cluster-values";
import { UnresolvedVariableError } from "@/lib/validation/cluster-variables";

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

export type ClusterDryRun = {
  clusterId: string;
  clusterName: string;
  /** What the cluster's objects were rendered for; null when it has none (then status is "failed"). */
  reconciler: Reconciler | null;
  status: "ok" | "failed";
  error?: string;
  objects: ObjectDryRun[];
  /** Index into `renders` of what this cluster gets (absent when nothing could be rendered for it). */
  render?: number;
};

/** One distinct rendering among the targets (per-cluster values make them differ), masked. */
export type DistinctRender = { yaml: string; clusterIds: string[] };

export type DryRunResult =
  | ReturnType<typeof invalidResult>
  | {
      status: "ok";
      /** The Flux objects as multi-document YAML, Secret values masked, as written (cluster variables unresolved); `renders` has each target's. */
      yaml: string;
      /** When a target runs Argo CD: its Applications and repository Secret, masked (absent when they cannot be rendered). */
      argoYaml?: string;
      /** When a target runs Argo CD: what it does not get of this configuration. */
      unsupported?: UnsupportedField[];
      clusters: ClusterDryRun[];
      /** The distinct renders the previewed targets get, in order of first appearance. */
      renders: DistinctRender[];
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

type Target = { id: string; name: string; labels: Record<string, string>; credentials: string; reconciler: Reconciler | null };

function checkClusterIds(clusterIds: readonly string[]): Record<string, string> | Target[] {
  const parsed = pushClusterIdsSchema.safeParse(clusterIds);
  if (!parsed.success) return Object.fromEntries(Object.entries(formatZodErrors(parsed.error)).map(([k, v]) => [k ? `clusterIds.${k}` : "clusterIds", v]));
  const rows = getDb()
    .select({ id: clusters.id, name: clusters.name, labels: clusters.labels, credentials: clusters.credentials, override: clusters.reconcilerOverride, detected: clusterHealth.detectedReconciler })
    .from(clusters)
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, clusters.id))
    .where(inArray(clusters.id, parsed.data))
    .all()
    .map(({ override, detected, ...row }) => ({ ...row, reconciler: reconcilerIdFor({ reconcilerOverride: override, detectedReconciler: detected }) }));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = Object.fromEntries(parsed.data.flatMap((id, index) => (byId.has(id) ? [] : [[`clusterIds.${index}`, "is not a registered cluster"]])));
  return Object.keys(missing).length > 0 ? missing : parsed.data.flatMap((id) => byId.get(id) ?? []);
}

const primary = RECONCILERS[0]!;

/**
 * The wizard's Review step: validates the spec as a save would, renders it for each target's
 * reconciler, and asks each cluster's API server what a push would do (server-side apply with
 * dryRun=All): create, change (with the fields), unchanged, delete (objects the version
 * dropped), or the server's validation error. Nothing is written anywhere.
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
  let renderInput: RenderInput;
  let objects: RenderedObject[];
  try {
    const credential = spec.source.credentialId === undefined ? undefined : toRenderCredential(spec.source.credentialId, spec.source);
    renderInput = { spec, version, configurationId, keys: renderKeysFor(spec), ...(credential ? { credential } : {}) };
    // The Review step's YAML is the first reconciler's (Flux's: Fleetline's configuration model).
    objects = primary.render(renderInput);
  } catch (error) {
    return invalidResult({ source: describeFailure(error) });
  }
  // Per cluster: its reconciler and its own values; clusters whose values are alike share a render.
  const cache = new Map<string, RenderedObject[] | string>();
  const renderFor = (reconciler: Reconciler, target: Target): RenderedObject[] | string => {
    const cluster = clusterFacts(target, reconciler);
    const key = `${reconciler}\u0000${clusterRenderKey(spec, cluster)}`;
    let rendered = cache.get(key);
    if (rendered !== undefined) return rendered;
    try {
      rendered = reconcilerById(reconciler)?.render({ ...renderInput, cluster }) ?? NO_RECONCILER;
    } catch (error) {
      rendered = error instanceof UnresolvedVariableError ? error.message : `cannot render for ${RECONCILER_NAMES[reconciler]}: ${describeFailure(error)}`;
    }
    cache.set(key, rendered);
    return rendered;
  };
  const perCluster: Array<RenderedObject[] | undefined> = targets.map(() => undefined);
  const settings = pushSettings(overrides);
  // The inventory's reconciler, else the one the cluster is found to serve during its dry run.
  const reconcilers = targets.map((target) => target.reconciler);
  const settled = await mapWithConcurrency(targets, settings.concurrency, (target, index) =>
    onCluster(target, settings, async (step) => {
      const reconciler = (reconcilers[index] ??= await detectReconciler(step));
      if (!reconciler) throw new PushRefused(NO_RECONCILER);
      const rendered = renderFor(reconciler, targets[index]!);
      if (typeof rendered === "string") throw new PushRefused(rendered);
      perCluster[index] = rendered;
      return dryRunCluster(step, spec.name, rendered);
    }),
  );
  const renders: DistinctRender[] = [];
  const renderIndex = new Map<string, number>();
  const results = settled.map((outcome, index): ClusterDryRun => {
    const cluster = { clusterId: targets[index]!.id, clusterName: targets[index]!.name, reconciler: reconcilers[index] ?? null };
    const objectsHere = perCluster[index];
    let render: number | undefined;
    if (objectsHere) {
      const text = toYaml(maskSecrets(objectsHere));
      render = renderIndex.get(text);
      if (render === undefined) {
        render = renders.push({ yaml: text, clusterIds: [] }) - 1;
        renderIndex.set(text, render);
      }
      renders[render]!.clusterIds.push(cluster.clusterId);
    }
    const shown = render === undefined ? {} : { render };
    if (outcome.status === "fulfilled") return { ...cluster, status: "ok", objects: outcome.value, ...shown };
    return { ...cluster, status: "failed", error: describeFailure(outcome.reason, { clusterId: cluster.clusterId }), objects: [], ...shown };
  });
  const yaml = toYaml(maskSecrets(objects));
  // Another reconciler among the targets: its rendering too, and what it cannot express.
  const otherTarget = results.findIndex((c) => c.reconciler !== null && c.reconciler !== primary.id);
  const other = reconcilerById(results[otherTarget]?.reconciler);
  if (!other) return { status: "ok", yaml, clusters: results, renders };
  const rendered = renderFor(other.id, targets[otherTarget]!);
  return {
    status: "ok",
    yaml,
    ...(typeof rendered === "string" ? {} : { argoYaml: toYaml(maskSecrets(rendered)) }),
    unsupported: other.unsupported(spec, renderInput.credential),
    clusters: results,
    renders,
  };
}
