"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formFields } from "@/lib/actions/form";
import { invalid, type ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission, type Actor } from "@/lib/auth/current";
import { credentialsInputSchema, labelsUpdateSchema, nameConfirmationSchema, registerClusterSchema } from "@/lib/inventory/cluster-input";
import { openCredentials, resolveCredentials } from "@/lib/inventory/credentials";
import { removeManagedObjects } from "@/lib/inventory/cleanup";
import {
  DuplicateClusterNameError,
  checkConnection,
  deleteClusterRow,
  findCluster,
  insertCluster,
  replaceClusterCredentials,
  setReconcilerOverride,
} from "@/lib/inventory/registry";
import { replaceClusterLabels } from "@/lib/inventory/cluster-labels";
import { reconcileTargetsForCluster } from "@/lib/configurations/retarget";
import { clustersOnServer } from "@/lib/inventory/same-server";
import { createClusterClient } from "@/lib/k8s/client";
import { classifyError } from "@/lib/k8s/discovery";
import { highlightedFields } from "@/lib/validation/field-labels";
import { reconcilerName } from "@/lib/words";

export type ConnectionSummary = {
  kubernetesVersion: string;
  latencyMs: number;
  nodeCount: number | null;
  fluxInstalled: boolean;
  fluxVersion: string | null;
  argoInstalled: boolean;
  argoVersion: string | null;
};

/** The registration form's result: besides field errors, a failed connection the user may override. */
export type RegisterResult =
  | { status: "idle" }
  | { status: "invalid"; fieldErrors: Record<string, string>; message?: string; contexts?: string[] }
  | { status: "unreachable"; kind: string; message: string; contexts?: string[] }
  /** The API server is registered already: registering again needs a confirmation. */
  | { status: "same-server"; clusters: string[]; message: string; contexts?: string[] }
  | { status: "checked"; summary: ConnectionSummary; contexts: string[] };

/** The values a registration attempt is audited with: never the credentials. */
function auditDetails(values: Record<string, string>) {
  return { name: values.name, labels: values.labels, credentialMode: values.credentialMode };
}

async function resolveAndCheck(values: Record<string, string>, actor: Actor, action: string) {
  const parsed = registerClusterSchema.safeParse(values);
  if (!parsed.success) {
    recordAudit({ action, targetType: "cluster", targetId: values.name, actor: auditActor(actor), outcome: "invalid", details: { ...auditDetails(values), fields: parsed.error.issues.map((i) => i.path.join(".")) } });
    return { ok: false as const, result: invalid(parsed.error) };
  }
  const resolved = resolveCredentials(parsed.data);
  if (!resolved.ok) {
    recordAudit({ action, targetType: "cluster", targetId: parsed.data.name, actor: auditActor(actor), outcome: "invalid", details: { ...auditDetails(values), field: resolved.field, reason: resolved.message } });
    return {
      ok: false as const,
      result: { status: "invalid" as const, fieldErrors: { [resolved.field]: resolved.message }, message: highlightedFields([resolved.field]), contexts: resolved.contexts },
    };
  }
  return { ok: true as const, input: parsed.data, credentials: resolved.credentials, contexts: resolved.contexts };
}

/** Step one of registration: validate and connect, save nothing. */
export async function checkClusterAction(_prev: RegisterResult, form: FormData): Promise<RegisterResult> {
  const values = formFields(form);
  const actor = await requirePermission("clusters.register", { action: "cluster.check", targetType: "cluster", targetId: values.name });
  const checked = await resolveAndCheck(values, actor, "cluster.check");
  if (!checked.ok) return checked.result;
  const connection = await checkConnection(checked.credentials);
  if (!connection.ok) return { status: "unreachable", kind: connection.kind, message: connection.message, contexts: checked.contexts };
  const p = connection.probe;
  return {
    status: "checked",
    contexts: checked.contexts,
    summary: {
      kubernetesVersion: p.kubernetesVersion,
      latencyMs: p.latencyMs,
      nodeCount: p.nodeCount,
      fluxInstalled: p.flux.installed,
      fluxVersion: p.flux.version,
      argoInstalled: p.argo.installed,
      argoVersion: p.argo.version,
    },
  };
}

function sameServerWarning(server: string, names: string[]): string {
  const which = names.length === 1 ? `cluster ${names[0]}` : `clusters ${names.join(", ")}`;
  return `${server} is already registered as ${which}. Two registrations of one API server see each other's objects: a push refused on one (a read-only credential) can look applied through the other. Register it again only if you mean to.`;
}

export async function registerClusterAction(_prev: RegisterResult, form: FormData): Promise<RegisterResult> {
  const values = formFields(form);
  const target = { action: "cluster.register", targetType: "cluster", targetId: values.name };
  const actor = await requirePermission("clusters.register", target);
  const checked = await resolveAndCheck(values, actor, target.action);
  if (!checked.ok) return checked.result;
  const { input, credentials } = checked;
  const sameServer = clustersOnServer(credentials.server);
  if (sameServer.length > 0 && values.confirmSameServer !== "true") {
    return { status: "same-server", clusters: sameServer, message: sameServerWarning(credentials.server, sameServer), contexts: checked.contexts };
  }
  const saveUnreachable = input.saveUnreachable === "true";
  const connection = await checkConnection(credentials);
  if (!connection.ok && !saveUnreachable) {
    return { status: "unreachable", kind: connection.kind, message: connection.message, contexts: checked.contexts };
  }
  let id: string;
  try {
    const cluster = insertCluster(
      { name: input.name, displayName: input.displayName, labels: input.labels, authMethod: input.credentialMode, credentials, createdBy: actor.user.email },
      connection,
    );
    id = cluster.id;
  } catch (e) {
    if (!(e instanceof DuplicateClusterNameError)) throw e;
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { ...auditDetails(values), reason: e.message } });
    return { status: "invalid", fieldErrors: { name: e.message }, message: highlightedFields(["name"]) };
  }
  recordAudit({
    ...target,
    targetId: input.name,
    actor: auditActor(actor),
    outcome: "success",
    details: { labels: input.labels, server: credentials.server, credentialMode: input.credentialMode, reachable: connection.ok, ...(connection.ok ? {} : { reason: connection.message }) },
  });
  // Configurations whose label selector matches the new cluster follow it there.
  void reconcileTargetsForCluster(id, { actor: auditActor(actor) });
  revalidatePath("/clusters");
  redirect(`/clusters/${id}`);
}

export async function updateClusterLabelsAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "cluster.update-labels", targetType: "cluster", targetId: values.clusterId };
  const actor = await requirePermission("clusters.update", target);
  const parsed = labelsUpdateSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error);
  const replaced = replaceClusterLabels(parsed.data.clusterId, parsed.data.labels, auditActor(actor));
  if (replaced.status === "not-found") return { status: "error", message: "That cluster no longer exists." };
  revalidatePath(`/clusters/${parsed.data.clusterId}`);
  revalidatePath("/clusters");
  return { status: "ok", message: "Labels saved." };
}

export async function rotateClusterCredentialsAction(_prev: RegisterResult, form: FormData): Promise<RegisterResult> {
  const values = formFields(form);
  const target = { action: "cluster.rotate-credentials", targetType: "cluster", targetId: values.clusterId };
  const actor = await requirePermission("clusters.credentials", target);
  const cluster = findCluster(values.clusterId ?? "");
  if (!cluster) return { status: "invalid", fieldErrors: { clusterId: "no such cluster" } };
  const parsed = credentialsInputSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error);
  const resolved = resolveCredentials(parsed.data);
  if (!resolved.ok) return { status: "invalid", fieldErrors: { [resolved.field]: resolved.message }, contexts: resolved.contexts };
  const connection = await checkConnection(resolved.credentials);
  if (!connection.ok && values.saveUnreachable !== "true") {
    return { status: "unreachable", kind: connection.kind, message: connection.message, contexts: resolved.contexts };
  }
  replaceClusterCredentials(cluster.id, parsed.data.credentialMode, resolved.credentials);
  recordAudit({ ...target, targetId: cluster.name, actor: auditActor(actor), outcome: "success", details: { credentialMode: parsed.data.credentialMode, reachable: connection.ok } });
  revalidatePath(`/clusters/${cluster.id}`);
  redirect(`/clusters/${cluster.id}?rotated=1`);
}

const overrideSchema = z.object({ clusterId: z.string().min(1), reconciler: z.enum(["auto", "flux", "argocd"]) });

export async function setReconcilerAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "cluster.set-reconciler", targetType: "cluster", targetId: values.clusterId };
  const actor = await requirePermission("clusters.credentials", target);
  const parsed = overrideSchema.safeParse(values);
  if (!parsed.success) return invalid(parsed.error);
  const cluster = findCluster(parsed.data.clusterId);
  if (!cluster) return { status: "error", message: "That cluster no longer exists." };
  const reconciler = parsed.data.reconciler === "auto" ? null : parsed.data.reconciler;
  setReconcilerOverride(cluster.id, reconciler);
  recordAudit({ ...target, targetId: cluster.name, actor: auditActor(actor), outcome: "success", details: { reconciler: parsed.data.reconciler } });
  revalidatePath(`/clusters/${cluster.id}`);
  return { status: "ok", message: reconciler ? `Reconciler set to ${reconcilerName(reconciler)}.` : "Reconciler detected automatically." };
}

export async function deleteClusterAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "cluster.delete", targetType: "cluster", targetId: values.clusterId };
  const actor = await requirePermission("clusters.delete", target);
  const cluster = findCluster(values.clusterId ?? "");
  if (!cluster) return { status: "error", message: "That cluster no longer exists." };
  const parsed = z
    .object({ confirm: nameConfirmationSchema(cluster.name), objects: z.enum(["remove", "leave"], { message: "choose whether to remove Fleetline's objects" }) })
    .safeParse(values);
  if (!parsed.success) return invalid(parsed.error);
  let removed: string[] = [];
  if (parsed.data.objects === "remove") {
    try {
      const client = createClusterClient(openCredentials(cluster), { timeoutMs: 10_000 });
      removed = (await removeManagedObjects(client)).deleted;
    } catch (error) {
      const { message } = classifyError(error);
      recordAudit({ ...target, targetId: cluster.name, actor: auditActor(actor), outcome: "failed", details: { reason: message } });
      return { status: "error", message: `Could not remove Fleetline's objects: ${message}. Choose "leave them" to delete the registration anyway.` };
    }
  }
  deleteClusterRow(cluster.id);
  recordAudit({ ...target, targetId: cluster.name, actor: auditActor(actor), outcome: "success", details: { objects: parsed.data.objects, removed: removed.length } });
  revalidatePath("/clusters");
  redirect(`/clusters?deleted=${encodeURIComponent(cluster.name)}`);
}
