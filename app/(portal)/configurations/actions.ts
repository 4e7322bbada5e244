"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formFields } from "@/lib/actions/form";
import { invalid, type ActionResult, type Invalid } from "@/lib/actions/result";
import type { UnsupportedField } from "@/lib/reconcilers/argo/unsupported";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { deleteConfiguration } from "@/lib/configurations/delete";
import { createConfiguration, getConfiguration, getVersion, updateConfiguration } from "@/lib/configurations/store";
import { nameConfirmationSchema } from "@/lib/inventory/cluster-input";
import { listFleetLabels, resolveTargets } from "@/lib/configurations/targets";
import { overrideWarnings } from "@/lib/validation/configuration-overrides";
import { checkChangeMessage, checkConfigurationSpec } from "@/lib/configurations/validate";
import { env } from "@/lib/env";
import { dryRunConfiguration, type ClusterDryRun, type DistinctRender } from "@/lib/push/dry-run";
import { startRollout } from "@/lib/push/rollouts";
import { runRollout } from "@/lib/push/run";
import { overrideWindows } from "@/lib/push/window-override";
import { pushCurrentVersion } from "@/lib/push/push-current";
import { runStatusSweep } from "@/lib/observe/loop";
import { reconcileNow, setSuspended, type ReconcileVerb } from "@/lib/status/verbs";
import { collectSpecWarnings, type ConfigurationSpec } from "@/lib/validation/configuration";
import { highlightedFields } from "@/lib/validation/field-labels";
import { plural } from "@/lib/words";
import { rollBackConfiguration } from "@/lib/configurations/rollback-plan";
import { CredentialUnavailableError, toRenderCredential } from "@/lib/credentials/store";
import { checkRemoteRef, type RefCheck } from "@/lib/git/ref-check";

// A review dry-runs against this many targets at most; the push itself goes to all of them.
const PREVIEW_CLUSTERS = 20;

export type PreviewResult =
  | Invalid
  | { status: "error"; message: string }
  | {
      status: "ok";
      /** Flux objects, Secret values masked. */
      yaml: string;
      /** Present when a previewed target runs Argo CD: its Applications, masked, and what it does not get. */
      argoYaml?: string;
      unsupported?: UnsupportedField[];
      clusters: ClusterDryRun[];
      /** The distinct renders the previewed targets get (per-cluster values), each cluster's by index. */
      renders: DistinctRender[];
      targetCount: number;
      warnings: Record<string, string>;
    };

/** The wizard's Review step: validate, then render and server-side dry-run against the targets. Writes nothing. */
export async function previewConfigurationAction(input: unknown): Promise<PreviewResult> {
  await requirePermission("configurations.write", { action: "configuration.preview", targetType: "configuration" });
  const checked = checkConfigurationSpec(input);
  if (!checked.ok) return { status: "invalid", fieldErrors: checked.fieldErrors, message: highlightedFields(Object.keys(checked.fieldErrors)) };
  // The ref is read before anything else: "branch main not found" belongs here, not 25 s after a push.
  const ref = await reviewSourceRef(checked.spec);
  if (ref.status === "missing") return { status: "invalid", fieldErrors: { "source.ref.value": ref.message }, message: highlightedFields(["source.ref.value"]) };
  const targets = resolveTargets(checked.spec.targets);
  const result = await dryRunConfiguration(checked.spec, targets.slice(0, PREVIEW_CLUSTERS).map((t) => t.clusterId));
  if (result.status !== "ok") return result;
  return {
    status: "ok",
    yaml: result.yaml,
    argoYaml: result.argoYaml,
    unsupported: result.unsupported,
    clusters: result.clusters,
    renders: result.renders,
    targetCount: targets.length,
    warnings: {
      ...collectSpecWarnings(checked.spec, { allowLocalSources: env().FLEETLINE_ALLOW_LOCAL_SOURCES }),
      ...overrideWarnings(checked.spec.overrides, listFleetLabels()),
      // Unreadable from here is not proof the clusters cannot read it (another network): said, not refused.
      ...(ref.status === "error" ? { "source.url": `Fleetline could not read the repository: ${ref.message}` } : {}),
    },
  };
}

/** ls-remote of a Git source's ref with its credential; other source kinds are not checked here. */
async function reviewSourceRef(spec: ConfigurationSpec): Promise<RefCheck> {
  const source = spec.source;
  if (source.kind !== "GitRepository") return { status: "skipped" };
  try {
    const auth = source.credentialId ? toRenderCredential(source.credentialId, source) : undefined;
    return await checkRemoteRef({ url: source.url, ...(auth ? { auth } : {}) }, source.ref);
  } catch (error) {
    return { status: "error", message: error instanceof CredentialUnavailableError ? error.message : "the credential could not be used" };
  }
}

export type SaveResult = Invalid | { status: "error"; message: string } | { status: "ok"; configurationId: string; version: number; rolloutId?: string };

type SaveMeta = { configurationId?: string; message?: string; push: boolean };

/** Creates a configuration (or a new immutable version of one) and, when asked, pushes it. */
export async function saveConfigurationAction(input: unknown, meta: SaveMeta): Promise<SaveResult> {
  const target = { action: meta.configurationId ? "configuration.update" : "configuration.create", targetType: "configuration", targetId: meta.configurationId ?? null };
  const actor = await requirePermission("configurations.write", target);
  if (meta.push && !can(actor.user.role, "configurations.push")) await requirePermission("configurations.push", { ...target, action: "configuration.push" });
  const messageProblem = checkChangeMessage(meta.message);
  if (messageProblem) return { status: "invalid", fieldErrors: { message: messageProblem }, message: highlightedFields(["message"]) };
  const authorship = { author: actor.user.email, message: meta.message ?? "" };
  const saved = meta.configurationId ? updateConfiguration(meta.configurationId, input, authorship) : createConfiguration(input, authorship);
  if (saved.status === "not-found") return { status: "error", message: "That configuration no longer exists." };
  if (saved.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(saved.fieldErrors) } });
    return saved;
  }
  const { configuration, version } = saved;
  recordAudit({ ...target, targetId: configuration.name, actor: auditActor(actor), outcome: "success", details: { version, message: meta.message ?? "" } });
  let rolloutId: string | undefined;
  if (meta.push) {
    const started = startRollout(configuration.id, version, { actor: auditActor(actor), trigger: "push" });
    if (started.status === "ok") {
      rolloutId = started.rolloutId;
      void runRollout(started.rolloutId);
    }
  }
  revalidatePath("/configurations");
  return { status: "ok", configurationId: configuration.id, version, rolloutId };
}

/** Pushes the configuration's current version to its targets (as resolved now), or re-pushes to some of them. */
export async function pushConfigurationAction(configurationId: string, clusterIds?: string[]): Promise<{ status: "ok"; rolloutId: string } | { status: "error"; message: string }> {
  const target = { action: "configuration.push", targetType: "configuration", targetId: configurationId };
  const actor = await requirePermission("configurations.push", target);
  const started = pushCurrentVersion(configurationId, auditActor(actor), Array.isArray(clusterIds) ? clusterIds : undefined);
  if (started.status !== "ok") return { status: "error", message: started.status === "invalid" ? started.message : "That configuration no longer exists." };
  revalidatePath(`/configurations/${configurationId}`);
  return { status: "ok", rolloutId: started.rolloutId };
}

export async function deleteConfigurationAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).configurationId ?? "";
  const target = { action: "configuration.delete", targetType: "configuration", targetId: id };
  const actor = await requirePermission("configurations.delete", target);
  const configuration = getConfiguration(id);
  if (!configuration) return { status: "error", message: "That configuration no longer exists." };
  const parsed = z
    .object({ confirm: nameConfirmationSchema(configuration.name), objects: z.enum(["remove", "orphan"], { message: "choose whether to remove the objects from the clusters" }) })
    .safeParse(formFields(form));
  if (!parsed.success) return invalid(parsed.error);
  const result = await deleteConfiguration(id, { removeFromClusters: parsed.data.objects === "remove", actor: auditActor(actor) });
  if (result.status === "not-found") return { status: "error", message: "That configuration no longer exists." };
  if (result.status === "removal-failed") {
    const failed = result.removal.clusters.filter((c) => c.state === "failed").map((c) => `${c.clusterName}: ${c.reason ?? "failed"}`);
    recordAudit({ ...target, targetId: configuration.name, actor: auditActor(actor), outcome: "failed", details: { failed } });
    return { status: "error", message: `Not deleted: removal failed on ${failed.join("; ")}. Retry, or choose to leave the objects.` };
  }
  recordAudit({ ...target, targetId: configuration.name, actor: auditActor(actor), outcome: "success", details: { objects: parsed.data.objects } });
  revalidatePath("/configurations");
  redirect(`/configurations?deleted=${encodeURIComponent(configuration.name)}`);
}

/** Rolls back by saving an earlier version's spec as a new version and pushing it. */
export async function rollbackConfigurationAction(configurationId: string, version: number, confirmedTargets: number): Promise<{ status: "ok"; version: number; rolloutId?: string } | { status: "error"; message: string }> {
  const target = { action: "configuration.rollback", targetType: "configuration", targetId: configurationId, details: { to: version } };
  const actor = await requirePermission("configurations.push", target);
  const result = rollBackConfiguration(configurationId, version, Number(confirmedTargets), auditActor(actor));
  if (result.status === "not-found") return { status: "error", message: "That configuration no longer exists." };
  if (result.status !== "ok") return { status: "error", message: result.message };
  revalidatePath(`/configurations/${configurationId}`);
  return { status: "ok", version: result.version, rolloutId: result.rolloutId };
}

export type VerbResult = { status: "ok"; message: string } | { status: "error"; message: string };

const VERB_WORDS: Record<ReconcileVerb, string> = { reconcile: "Reconcile", refresh: "Refresh", sync: "Sync" };

/**
 * Asks the cluster's reconciler to act now: Flux reconciles (the source first, when asked);
 * Argo CD refreshes its Applications, or syncs them when asked with the source. The page
 * shows when the cluster handled it.
 */
export async function reconcileNowAction(configurationId: string, clusterId: string, withSource: boolean): Promise<VerbResult> {
  const target = { action: "configuration.reconcile", targetType: "configuration", targetId: configurationId, details: { clusterId, withSource } };
  const actor = await requirePermission("configurations.reconcile", target);
  const result = await reconcileNow(clusterId, configurationId, { withSource: Boolean(withSource) });
  if (result.status === "not-found") return { status: "error", message: "That configuration or cluster no longer exists." };
  recordAudit({ ...target, actor: auditActor(actor), outcome: result.status === "ok" ? "success" : "failed", details: { clusterId, withSource, verb: result.verb, token: result.token, ...(result.status === "failed" ? { error: result.error } : {}) } });
  void runStatusSweep({ clusterIds: [clusterId] });
  revalidatePath(`/configurations/${configurationId}`);
  const what = VERB_WORDS[result.verb];
  return result.status === "ok"
    ? { status: "ok", message: `${what} requested; the row shows when the cluster has handled it.` }
    : { status: "error", message: `${what} request failed: ${result.error}` };
}

/** Suspends or resumes reconciliation (Flux spec.suspend, Argo CD automated sync) on one cluster or on every target. */
export async function setSuspendedAction(configurationId: string, isSuspended: boolean, clusterId?: string): Promise<VerbResult> {
  const target = { action: isSuspended ? "configuration.suspend" : "configuration.resume", targetType: "configuration", targetId: configurationId, details: { clusterId: clusterId ?? "all" } };
  const actor = await requirePermission("configurations.reconcile", target);
  const result = await setSuspended(configurationId, Boolean(isSuspended), typeof clusterId === "string" ? clusterId : undefined);
  if (result.status === "not-found") return { status: "error", message: "That configuration no longer exists." };
  const failed = result.clusters.filter((c) => c.status !== "ok");
  recordAudit({ ...target, actor: auditActor(actor), outcome: failed.length ? "failed" : "success", details: { clusterId: clusterId ?? "all", clusters: result.clusters.length, failed: failed.length } });
  void runStatusSweep(clusterId ? { clusterIds: [clusterId] } : {});
  revalidatePath(`/configurations/${configurationId}`);
  return failed.length
    ? { status: "error", message: `${isSuspended ? "Suspend" : "Resume"} failed on ${failed.length} of ${plural(result.clusters.length, "cluster")}.` }
    : { status: "ok", message: `${isSuspended ? "Suspended" : "Resumed"} on ${plural(result.clusters.length, "cluster")}.` };
}

export type OverridesResult = Invalid | { status: "error"; message: string } | { status: "ok"; version: number; warnings: Record<string, string> };

/**
 * The Overrides tab: saves the configuration's current spec with a new override list as a new
 * immutable version (pushing is separate). Errors are keyed "overrides.N.field"; selectors that
 * match no cluster come back as warnings.
 */
export async function saveOverridesAction(configurationId: string, overrides: unknown, message?: string): Promise<OverridesResult> {
  const target = { action: "configuration.overrides", targetType: "configuration", targetId: configurationId };
  const actor = await requirePermission("configurations.write", target);
  const configuration = getConfiguration(configurationId);
  if (!configuration) return { status: "error", message: "That configuration no longer exists." };
  const saved = updateConfiguration(configurationId, { ...configuration.spec, overrides }, { author: actor.user.email, message: typeof message === "string" ? message : "" });
  if (saved.status === "not-found") return { status: "error", message: "That configuration no longer exists." };
  if (saved.status === "invalid") {
    recordAudit({ ...target, targetId: configuration.name, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(saved.fieldErrors) } });
    return saved;
  }
  const stored = getVersion(configurationId, saved.version);
  const count = stored ? stored.spec.overrides.length : 0;
  recordAudit({ ...target, targetId: configuration.name, actor: auditActor(actor), outcome: "success", details: { version: saved.version, overrides: count } });
  revalidatePath(`/configurations/${configurationId}`);
  return { status: "ok", version: saved.version, warnings: stored ? overrideWarnings(stored.spec.overrides, listFleetLabels()) : {} };
}

/** An admin lets one held push through its maintenance windows, with a reason (audited). */
export async function overrideWindowsAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const rolloutId = values.rolloutId?.slice(0, 100) ?? "";
  const target = { action: "rollout.window-override", targetType: "rollout", targetId: rolloutId };
  const actor = await requirePermission("settings.write", target);
  const result = overrideWindows(rolloutId, auditActor(actor), values.reason);
  if (result.status !== "ok") return result.status === "invalid" ? { ...result, message: highlightedFields(Object.keys(result.fieldErrors)) } : result;
  return { status: "ok", message: "The push no longer waits for its windows." };
}
