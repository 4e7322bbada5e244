import "server-only";
import { currentTargets, resolveTargets } from "./targets";
import { getConfiguration, getVersion } from "./store";

// A rollback is a push: before it runs, the person sees what changes (the version diff, shown by
// the Versions tab) and where it goes, and confirms naming the number of clusters. The action
// checks that number again, so a target set that changed in between is not pushed to blindly.

export type RollbackPlan = {
  from: number;
  to: number;
  /** The version the rollback saves (the old spec as a new version). */
  newVersion: number;
  /** Clusters the rolled-back version targets right now. */
  targets: { clusterId: string; clusterName: string }[];
  /** Clusters targeted today that the old version no longer targets: its objects are removed there. */
  removedFrom: string[];
};

export function rollbackPlan(configurationId: string, version: number): RollbackPlan | undefined {
  const configuration = getConfiguration(configurationId);
  const old = Number.isInteger(version) ? getVersion(configurationId, version) : undefined;
  if (!configuration || !old) return undefined;
  const targets = resolveTargets(old.spec.targets).map(({ clusterId, clusterName }) => ({ clusterId, clusterName }));
  const kept = new Set(targets.map((t) => t.clusterId));
  return {
    from: configuration.currentVersion,
    to: version,
    newVersion: configuration.currentVersion + 1,
    targets,
    removedFrom: currentTargets(configurationId).filter((t) => !kept.has(t.clusterId)).map((t) => t.clusterName),
  };
}

/** Null when the confirmation matches the plan; otherwise what to tell the person. */
export function rollbackConfirmationProblem(plan: RollbackPlan, confirmedTargets: number): string | null {
  if (plan.targets.length === confirmedTargets) return null;
  return `The targets changed since you reviewed this rollback: it would now push to ${plan.targets.length === 1 ? "1 cluster" : `${plan.targets.length} clusters`}. Review it again.`;
}
