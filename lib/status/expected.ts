import "server-only";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { clusterHealth, clusters, type Reconciler } from "@/db/schema";
import { configurations, configurationTargets } from "@/db/schema-configurations";
import { getVersion } from "@/lib/configurations/store";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { maskedSecretsFor } from "@/lib/credentials/store";
import { RECONCILER_NAMES, renderFor } from "@/lib/reconcilers/render";
import { clusterFacts } from "@/lib/reconcilers/cluster-facts";
import { clusterRenderKey } from "@/lib/reconcilers/cluster-values";
import { UnresolvedVariableError } from "@/lib/validation/cluster-variables";
import { NO_RECONCILER, reconcilerIdFor } from "@/lib/reconcilers";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import type { PushOutcome } from "@/lib/reconcilers/flux/derive";
import { newestRolloutRows } from "@/lib/push/newest-rows";

/** What a cluster should run of one configuration: the version last pushed to it, rendered. */
export type Target = {
  configurationId: string;
  name: string;
  clusterId: string;
  /** The cluster's reconciler (reconcilerFor: the admin's override, else what was detected); null when neither is known. */
  reconciler: Reconciler | null;
  expectedVersion: number;
  push: PushOutcome | undefined;
  spec: ConfigurationSpec | undefined;
  /** The rendered objects for the reconciler (Secret values masked), or why they could not be rendered. */
  rendered: RenderedObject[] | { error: string };
  /** The cluster whose own values (variables, overrides) the objects were rendered with. */
  cluster?: TargetCluster;
};

export type TargetCluster = { id: string; name: string; labels: Record<string, string> };


// Versions are immutable, so a rendering never goes stale; the cap only bounds memory.
const RENDER_CACHE_LIMIT = 5000;
type ExpectedVersion = { spec: ConfigurationSpec | undefined; renderedFor: (reconciler: Reconciler, cluster?: TargetCluster) => Target["rendered"] };
// Per version: one render per reconciler, or per cluster when the version's values depend on it.
// Per-cluster renders are cheap to redo (well under a millisecond) and many: past this many
// in one version they are made on each use instead of kept, so memory stays bounded.
const RENDERS_PER_VERSION_LIMIT = 2_000;
const globalForRender = globalThis as unknown as { fleetlineExpectedRenders?: Map<string, ExpectedVersion> };
const renders = (globalForRender.fleetlineExpectedRenders ??= new Map());

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : "unexpected error");

/**
 * A pushed version and its rendering for each reconciler (made on first use, then kept: a
 * mixed fleet renders a version once per reconciler). A masked stand-in replaces the
 * credential: only names, kinds and specs matter for status and drift, so no secret is
 * decrypted for this.
 */
export function renderExpected(configurationId: string, version: number): ExpectedVersion {
  const key = `${configurationId}:${version}`;
  const cached = renders.get(key);
  if (cached) return cached;
  const detail = getVersion(configurationId, version);
  let result: ExpectedVersion;
  if (!detail) {
    const missing = { error: `version ${version} no longer exists` };
    result = { spec: undefined, renderedFor: () => missing };
  } else {
    const { spec } = detail;
    const { credential, keys, problem } = maskedSecretsFor(spec);
    const perCluster = new Map<string, Target["rendered"]>();
    const renderedFor = (reconciler: Reconciler, cluster?: TargetCluster): Target["rendered"] => {
      const facts = cluster ? clusterFacts(cluster, reconciler) : undefined;
      const key = `${reconciler}\u0000${clusterRenderKey(spec, facts)}`;
      const cached = perCluster.get(key);
      if (cached) return cached;
      let rendered: Target["rendered"];
      try {
        if (problem) throw new Error(problem);
        rendered = renderFor(reconciler, { spec, version, configurationId, keys, ...(facts ? { cluster: facts } : {}), ...(credential ? { credential } : {}) });
      } catch (error) {
        rendered = {
          error: error instanceof UnresolvedVariableError ? `could not render version ${version}: ${error.message}` : `could not render version ${version} for ${RECONCILER_NAMES[reconciler]}: ${reasonOf(error)}`,
        };
      }
      if (perCluster.size < RENDERS_PER_VERSION_LIMIT) perCluster.set(key, rendered);
      return rendered;
    };
    result = { spec, renderedFor };
  }
  if (renders.size >= RENDER_CACHE_LIMIT) renders.clear();
  renders.set(key, result);
  return result;
}

function latestPushes(clusterIds: readonly string[] | undefined): Map<string, PushOutcome> {
  return new Map(newestRolloutRows(clusterIds).map((row) => [`${row.configurationId}:${row.clusterId}`, { version: row.version, action: row.action, state: row.state, reason: row.reason }]));
}

/** Every (cluster, configuration) the collector must report on, grouped by cluster. */
export function loadTargets(clusterIds?: readonly string[]): Map<string, Target[]> {
  const rows = getDb()
    .select({
      configurationId: configurations.id,
      name: configurations.name,
      clusterId: configurationTargets.clusterId,
      pushedVersion: configurations.pushedVersion,
      currentVersion: configurations.currentVersion,
      clusterName: clusters.name,
      labels: clusters.labels,
      reconcilerOverride: clusters.reconcilerOverride,
      detectedReconciler: clusterHealth.detectedReconciler,
    })
    .from(configurationTargets)
    .innerJoin(configurations, and(eq(configurations.id, configurationTargets.configurationId), isNull(configurations.deletedAt)))
    .innerJoin(clusters, eq(clusters.id, configurationTargets.clusterId))
    .leftJoin(clusterHealth, eq(clusterHealth.clusterId, configurationTargets.clusterId))
    .where(clusterIds ? inArray(configurationTargets.clusterId, [...clusterIds]) : undefined)
    .all();
  const pushes = latestPushes(clusterIds);
  const byCluster = new Map<string, Target[]>();
  for (const row of rows) {
    const push = pushes.get(`${row.configurationId}:${row.clusterId}`);
    const expectedVersion = push?.version ?? row.pushedVersion ?? row.currentVersion;
    const reconciler = reconcilerIdFor(row);
    const { spec, renderedFor } = renderExpected(row.configurationId, expectedVersion);
    const cluster: TargetCluster = { id: row.clusterId, name: row.clusterName, labels: row.labels };
    const rendered = reconciler ? renderedFor(reconciler, cluster) : { error: NO_RECONCILER };
    const target: Target = { configurationId: row.configurationId, name: row.name, clusterId: row.clusterId, reconciler, expectedVersion, push, spec, rendered, cluster };
    byCluster.set(row.clusterId, [...(byCluster.get(row.clusterId) ?? []), target]);
  }
  return byCluster;
}

/** The same target for a reconciler found during this observation (the loop detects before it observes). */
export function withReconciler(target: Target, reconciler: Reconciler | null): Target {
  if (reconciler === target.reconciler) return target;
  const rendered = reconciler ? renderExpected(target.configurationId, target.expectedVersion).renderedFor(reconciler, target.cluster) : { error: NO_RECONCILER };
  return { ...target, reconciler, rendered };
}
