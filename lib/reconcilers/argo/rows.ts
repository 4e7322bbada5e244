import type { ArgoDeployment, ComplianceState, ConfigurationStatus, InventoryEntry } from "@/db/schema-status";
import { APPLICATION_API_VERSION, REFRESH_ANNOTATION, SUSPENDED_AUTOMATED_ANNOTATION } from "./metadata";
import type { ArgoListing } from "./observe";
import { deriveApplicationState, isOperationRunning, type ArgoApplication, type ArgoConfigurationVerdict } from "./status";
import { configurationDrift, summarizeDrift, type LiveObject } from "@/lib/drift/config-drift";
import { CONFIGURATION_LABEL } from "@/lib/reconcilers/labels";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import type { GitRef } from "@/lib/git/policy";
import { versionOf } from "@/lib/reconcilers/flux/derive";
import type { Target } from "@/lib/status/expected";
import { cleanMessage, revisionDriftFields, type ObjectValues, type StatusValues } from "@/lib/reconcilers/flux/rows";

/**
 * Pure: one configuration on an Argo CD cluster turned into the same status and object rows
 * as a Flux cluster gives, from its verdict (lib/argo) and its live Applications. Revisions
 * are written the way Flux writes them, so commit markers and "behind by" work unchanged.
 */

const SHA = /^[0-9a-f]{40}$/;

/**
 * The ref an Application actually tracks: its targetRevision (as deployed, or as in its spec),
 * which someone may have patched away from the configuration's ref, else the configuration's.
 * A branch or tag name is labelled as such; a commit as a commit.
 */
export function liveRef(configured: GitRef | undefined, targetRevision: string | undefined): GitRef | undefined {
  if (!targetRevision || targetRevision === configured?.value) return configured;
  if (SHA.test(targetRevision)) return { type: "commit", value: targetRevision };
  // Argo CD takes a branch or a tag name alike (or a semver range): the label only needs the name.
  return { type: "branch", value: targetRevision };
}

/** A bare commit as Flux would name it: `<branch or tag>@sha1:<sha>`, `sha1:<sha>` for a commit or semver ref. */
export function argoRevision(ref: GitRef | undefined, revision: string | null | undefined): string | null {
  if (!revision) return null;
  if (!SHA.test(revision)) return revision;
  return ref && (ref.type === "branch" || ref.type === "tag") ? `${ref.value}@sha1:${revision}` : `sha1:${revision}`;
}

/**
 * An Application with its sync policy as configured, whether or not it is suspended right now
 * (Fleetline keeps a suspended policy in an annotation), and without a pending refresh request:
 * suspend, resume and refresh are operations, not configuration drift.
 */
export function configuredApplication<T extends { metadata: { annotations?: Record<string, string> }; spec?: unknown }>(object: T): T {
  const annotations = { ...object.metadata.annotations };
  const saved = annotations[SUSPENDED_AUTOMATED_ANNOTATION];
  delete annotations[SUSPENDED_AUTOMATED_ANNOTATION];
  delete annotations[REFRESH_ANNOTATION];
  const spec = (object.spec ?? {}) as { syncPolicy?: Record<string, unknown> };
  let automated = spec.syncPolicy?.automated;
  if (!automated && saved !== undefined) {
    try {
      automated = JSON.parse(saved) as unknown;
    } catch {
      // An unreadable saved policy stays absent, and so shows as drift.
    }
  }
  const syncPolicy = automated ? { ...spec.syncPolicy, automated } : spec.syncPolicy;
  return { ...object, metadata: { ...object.metadata, annotations }, ...(object.spec === undefined ? {} : { spec: { ...spec, ...(syncPolicy ? { syncPolicy } : {}) } }) } as T;
}

/** A listed Application as drift compares it: kind and apiVersion set (list items may lack them), suspend and refresh taken out. */
export function liveApplication(app: ArgoApplication): LiveObject {
  return configuredApplication({ ...(app as unknown as LiveObject), apiVersion: APPLICATION_API_VERSION, kind: "Application" });
}

const READY: Partial<Record<ComplianceState, "True" | "False">> = { Compliant: "True", "Non-Compliant": "False" };

/** The resources an Application manages, in the shape of a Flux Kustomization inventory, for the Objects view. */
function inventoryOf(app: ArgoApplication): InventoryEntry[] {
  return (app.status?.resources ?? []).flatMap((r) =>
    r.kind && r.name && r.version ? [{ id: `${r.namespace ?? ""}_${r.name}_${r.group ?? ""}_${r.kind}`, v: r.version }] : [],
  );
}

function objectRow(target: Target, app: ArgoApplication, at: Date, now: number): ObjectValues {
  const verdict = deriveApplicationState(app, now);
  const sync = app.status?.sync?.status;
  const health = app.status?.health?.status;
  return {
    clusterId: target.clusterId,
    configurationId: target.configurationId,
    kind: "Application",
    namespace: app.metadata.namespace ?? "",
    name: app.metadata.name,
    state: verdict.state,
    ready: READY[verdict.state] ?? "Unknown",
    reason: verdict.reason,
    message: cleanMessage(verdict.message) ?? (sync || health ? `sync ${sync ?? "Unknown"}, health ${health ?? "Unknown"}` : null),
    revision: app.status?.sync?.revision ?? null,
    isSuspended: !app.spec?.syncPolicy?.automated,
    generation: null,
    observedGeneration: null,
    version: versionOf({ kind: "Application", metadata: app.metadata }),
    lastHandledReconcileAt: null,
    inventory: inventoryOf(app),
    observedAt: at,
  };
}

/** When the applied revision was deployed: Argo CD's history, else as last seen, else now (our first sighting). */
function lastAppliedAt(history: readonly ArgoDeployment[], appliedRevision: string | null, previous: ConfigurationStatus | undefined, now: number): Date | null {
  if (!appliedRevision) return null;
  const deployed = Date.parse(history.at(-1)?.deployedAt ?? "");
  if (Number.isFinite(deployed)) return new Date(deployed);
  return previous?.appliedRevision === appliedRevision && previous.lastAppliedAt ? previous.lastAppliedAt : new Date(now);
}

export type ArgoTargetInput = { target: Target; verdict: ArgoConfigurationVerdict; listing: ArgoListing; previous: ConfigurationStatus | undefined; now: number };

/** The status row and object rows for one configuration on an Argo CD cluster that answered. */
export function observeArgoTarget({ target, verdict, listing, previous, now }: ArgoTargetInput): { row: StatusValues; objects: ObjectValues[] } {
  const at = new Date(now);
  const mine = listing.applications.filter((app) => app.metadata.labels?.[CONFIGURATION_LABEL] === target.name);
  const rendered: RenderedObject[] = Array.isArray(target.rendered) ? target.rendered : [];
  const { argo } = verdict;
  const ref = target.spec?.source.kind === "GitRepository" ? target.spec.source.ref : undefined;
  const history = argo.history;
  const deployed = history.at(-1)?.revision ?? (argo.sync === "Synced" ? argo.revision : null);
  // Labelled with the ref the cluster runs (an Application patched to another branch must not
  // say "main@…"): the first Application's, as the summary's revision and history are.
  const first = mine.find((app) => app.metadata.name === argo.applications[0]?.name);
  const deployedFrom = first?.status?.history?.at(-1)?.source?.targetRevision ?? first?.spec?.source?.targetRevision;
  const appliedRevision = argoRevision(liveRef(ref, deployedFrom), deployed);
  // Argo CD names a source it cannot read in a ComparisonError condition: the counterpart of a failing Flux source.
  const comparisonError = mine.flatMap((app) => app.status?.conditions ?? []).find((c) => c.type === "ComparisonError");
  const revisionMessage = comparisonError ? cleanMessage(comparisonError.message ?? "Argo CD could not read the source") : null;
  const isPushInFlight = target.push?.state === "pending" || target.push?.state === "applying";
  const drift = isPushInFlight || rendered.length === 0 || !listing.isServed ? [] : configurationDrift(rendered.map(configuredApplication), mine.map(liveApplication), new Set(["Application"]));
  // Argo CD drops the refresh annotation, and clears a requested sync, once it has acted on it.
  const isRequestPending = mine.some((app) => app.metadata.annotations?.[REFRESH_ANNOTATION] !== undefined || isOperationRunning(app));
  const row: StatusValues = {
    configurationId: target.configurationId,
    clusterId: target.clusterId,
    reconciler: "argocd",
    state: verdict.state,
    reason: verdict.reason,
    message: cleanMessage(verdict.message),
    expectedVersion: target.expectedVersion,
    appliedVersion: verdict.appliedVersion,
    sourceRevision: argoRevision(liveRef(ref, first?.spec?.source?.targetRevision), argo.revision),
    appliedRevision,
    lastAppliedAt: lastAppliedAt(history, appliedRevision, previous, now),
    // reconcileRequestedAt is left to the verb that writes it: nothing on the Application carries it.
    lastHandledReconcileAt: isRequestPending ? (previous?.lastHandledReconcileAt ?? null) : (previous?.reconcileRequestedAt ?? previous?.lastHandledReconcileAt ?? null),
    hasConfigDrift: drift.length > 0,
    configDrift: summarizeDrift(drift),
    ...revisionDriftFields(previous, appliedRevision, revisionMessage),
    hasResourceDrift: argo.resourceDrift.length > 0,
    resourceDriftCount: argo.resourceDrift.length,
    argoSync: argo.sync,
    argoHealth: argo.health,
    argoOperationPhase: argo.operationPhase,
    argoHistory: history,
    stateChangedAt: previous && previous.state === verdict.state ? previous.stateChangedAt : at,
    observedAt: at,
    lastSeenAt: at,
  };
  return { row, objects: mine.map((app) => objectRow(target, app, at, now)) };
}
