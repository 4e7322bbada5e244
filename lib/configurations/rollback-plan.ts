import "server-only";
import { currentTargets, resolveTargets } from "./targets";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { startRollout } from "@/lib/push/rollouts";
import { runRollout } from "@/lib/push/run";
import { getConfiguration, getVersion, updateConfiguration } from "./store";

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

export type RollbackResult =
  | { status: "ok"; version: number; rolloutId?: string }
  | { status: "not-found" }
  | { status: "no-version"; message: string }
  | { status: "unconfirmed"; message: string }
  | { status: "invalid"; fieldErrors: Record<string, string>; message: string };

/**
 * Rolls back by saving an earlier version's spec as a new version and pushing it, once the
 * caller's confirmed target count still matches. The Versions tab's rollback and `POST
 * /api/v1/configurations/{id}/rollback` both come here.
 */
export function rollBackConfiguration(configurationId: string, version: number, confirmedTargets: number, actor: AuditActor): RollbackResult {
  const target = { action: "configuration.rollback", targetType: "configuration", targetId: configurationId, actor };
  if (!getConfiguration(configurationId)) return { status: "not-found" };
  const old = Number.isInteger(version) ? getVersion(configurationId, version) : undefined;
  if (!old) return { status: "no-version", message: `Version ${version} does not exist.` };
  const plan = rollbackPlan(configurationId, version);
  if (!plan) return { status: "not-found" };
  const problem = rollbackConfirmationProblem(plan, Number(confirmedTargets));
  if (problem) return { status: "unconfirmed", message: problem };
  const saved = updateConfiguration(configurationId, old.spec, { author: actor.email, message: `Roll back to v${version}` });
  if (saved.status === "not-found") return saved;
  if (saved.status === "invalid") {
    recordAudit({ ...target, outcome: "invalid", details: { to: version, fields: Object.keys(saved.fieldErrors) } });
    return { status: "invalid", fieldErrors: saved.fieldErrors, message: `v${version} is no longer valid here: ${Object.entries(saved.fieldErrors).map(([k, m]) => `${k} ${m}`).join("; ")}` };
  }
  recordAudit({ ...target, targetId: saved.configuration.name, outcome: "success", details: { to: version, newVersion: saved.version } });
  const started = startRollout(configurationId, saved.version, { actor, trigger: "push" });
  if (started.status === "ok") void runRollout(started.rolloutId);
  return { status: "ok", version: saved.version, rolloutId: started.status === "ok" ? started.rolloutId : undefined };
}
