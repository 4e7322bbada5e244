import "server-only";
import { z } from "zod";
import type { ClusterClient } from "@/lib/k8s/client";
import { FIELD_MANAGER } from "@/lib/push/apply";
import { describeRef, objectPath } from "@/lib/reconcilers/kinds";
import { ARGO_NAMESPACE, REFRESH_ANNOTATION, SUSPENDED_AUTOMATED_ANNOTATION } from "./metadata";
import { isOperationRunning, type ArgoApplication } from "./status";

/**
 * The Argo CD verbs on one Application, as merge patches by field manager "fleetline":
 * refresh (annotation argocd.argoproj.io/refresh), sync now (an `operation` with a sync
 * request, which Argo CD runs and then clears), and suspend / resume (remove the automated
 * sync policy, keeping it in an annotation, and put it back). Each patch carries the
 * resourceVersion it was computed from, so a concurrent change fails with a conflict
 * instead of being overwritten.
 */

export type ApplicationRef = { name: string; namespace?: string };

/** The verb cannot be done in the Application's current state; the message says why. */
export class ArgoVerbError extends Error {
  override name = "ArgoVerbError";
}

const automatedSchema = z.object({ prune: z.boolean().optional(), selfHeal: z.boolean().optional(), allowEmpty: z.boolean().optional() });
type Automated = z.infer<typeof automatedSchema>;

type LiveApplication = ArgoApplication & { metadata: ArgoApplication["metadata"] & { resourceVersion?: string }; spec?: { syncPolicy?: { automated?: Automated | null } } };

const refOf = (ref: ApplicationRef) => ({ kind: "Application", namespace: ref.namespace ?? ARGO_NAMESPACE, name: ref.name });
const pathOf = (ref: ApplicationRef) => objectPath(refOf(ref));

function read(client: ClusterClient, ref: ApplicationRef): Promise<LiveApplication> {
  return client.get<LiveApplication>(pathOf(ref));
}

function patch(client: ClusterClient, ref: ApplicationRef, body: object): Promise<ArgoApplication> {
  return client.mergePatch<ArgoApplication>(pathOf(ref), body, { fieldManager: FIELD_MANAGER });
}

/** The policy a suspended Application will get back, from its annotation. */
export function savedAutomated(app: Pick<ArgoApplication, "metadata">): Automated | undefined {
  const text = app.metadata.annotations?.[SUSPENDED_AUTOMATED_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const parsed = automatedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Asks Argo CD to compare again now ("hard" also drops its manifest cache); Argo CD removes the annotation when done. Returns the patched Application. */
export function refreshApplication(client: ClusterClient, ref: ApplicationRef, mode: "normal" | "hard" = "normal"): Promise<ArgoApplication> {
  return patch(client, ref, { metadata: { annotations: { [REFRESH_ANNOTATION]: mode } } });
}

/**
 * Requests a sync of `revision` (default: the Application's targetRevision). Prune follows the
 * automated policy, or the saved one of a suspended Application, unless given. Refused while
 * another operation is running, as Argo CD's own API refuses it.
 */
export async function syncApplication(client: ClusterClient, ref: ApplicationRef, options: { revision?: string; prune?: boolean } = {}): Promise<void> {
  const app = await read(client, ref);
  if (isOperationRunning(app)) throw new ArgoVerbError(`${describeRef(refOf(ref))}: another operation is already running`);
  const prune = options.prune ?? app.spec?.syncPolicy?.automated?.prune ?? savedAutomated(app)?.prune ?? false;
  await patch(client, ref, {
    metadata: { resourceVersion: app.metadata.resourceVersion },
    operation: { sync: { ...(options.revision ? { revision: options.revision } : {}), prune }, initiatedBy: { username: "fleetline" } },
  });
}

/** Removes the automated sync policy, saving it for resume. Returns false when the Application was already suspended. */
export async function suspendApplication(client: ClusterClient, ref: ApplicationRef): Promise<boolean> {
  const app = await read(client, ref);
  const automated = app.spec?.syncPolicy?.automated;
  if (!automated) return false;
  await patch(client, ref, {
    metadata: { resourceVersion: app.metadata.resourceVersion, annotations: { [SUSPENDED_AUTOMATED_ANNOTATION]: JSON.stringify(automated) } },
    spec: { syncPolicy: { automated: null } },
  });
  return true;
}

/** Puts back the automated sync policy suspend saved. Returns false when the Application was not suspended. */
export async function resumeApplication(client: ClusterClient, ref: ApplicationRef): Promise<boolean> {
  const app = await read(client, ref);
  if (app.spec?.syncPolicy?.automated) return false;
  const saved = savedAutomated(app);
  if (!saved) throw new ArgoVerbError(`${describeRef(refOf(ref))}: no saved sync policy to restore; push the configuration again`);
  await patch(client, ref, {
    metadata: { resourceVersion: app.metadata.resourceVersion, annotations: { [SUSPENDED_AUTOMATED_ANNOTATION]: null } },
    spec: { syncPolicy: { automated: saved } },
  });
  return true;
}
