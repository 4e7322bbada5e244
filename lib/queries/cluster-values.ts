import "server-only";
import { describeOrigin, resolveClusterValues, type ResolvedValue } from "@/lib/reconcilers/cluster-values";
import { loadTargets } from "@/lib/status/expected";

export type ConfigurationValues = {
  configurationId: string;
  name: string;
  /** The version this cluster should run (the one last pushed to it). */
  version: number;
  /** Override numbers that apply to this cluster, in the order they apply. */
  applied: number[];
  values: Array<ResolvedValue & { originText: string }>;
  /** Why the values cannot be resolved on this cluster (a missing label), if so. */
  error?: string;
};

/**
 * The cluster page's Values tab: per configuration targeting the cluster, every substitution
 * and Helm value it gets and where each comes from (base, override N, this cluster's override).
 */
export function valuesForCluster(cluster: { id: string; name: string; labels: Record<string, string> }): ConfigurationValues[] {
  const targets = loadTargets([cluster.id]).get(cluster.id) ?? [];
  return targets
    .flatMap((target) => {
      if (!target.spec) return [];
      const base = { configurationId: target.configurationId, name: target.name, version: target.expectedVersion };
      try {
        const resolved = resolveClusterValues(target.spec, { ...cluster, reconciler: target.reconciler ?? "" });
        return [{ ...base, applied: resolved.applied, values: resolved.entries.map((entry) => ({ ...entry, originText: describeOrigin(entry.origin) })) }];
      } catch (error) {
        return [{ ...base, applied: [], values: [], error: error instanceof Error ? error.message : "cannot be resolved" }];
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
