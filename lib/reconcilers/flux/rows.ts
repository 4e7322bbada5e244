import type { ConfigurationStatus, NewConfigurationStatus, NewObjectStatus } from "@/db/schema-status";
import { CONFIGURATION_LABEL } from "@/lib/reconcilers/labels";
import { configurationDrift, summarizeDrift } from "@/lib/drift/config-drift";
import { redactText } from "@/lib/security/redact";
import { deriveConfigurationState, deriveObjectState, objectReadiness, versionOf, type Condition, type ConfigurationVerdict, type ReadingContext, type Verdict } from "./derive";
import type { Target } from "@/lib/status/expected";
import { expectedFluxRefs, FLUX_KINDS, isFluxKind } from "./kinds";
import type { LiveFluxObject } from "./list";

/**
 * Pure: one cluster's listing turned into status rows. Everything that needs the network
 * (resource drift, the Git head) is merged in by the collector.
 */

export type StatusValues = Omit<NewConfigurationStatus, "hasResourceDrift" | "resourceDriftCount"> & Partial<Pick<NewConfigurationStatus, "hasResourceDrift" | "resourceDriftCount">>;
export type ObjectValues = NewObjectStatus;

const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";
const WORKLOAD_KINDS = new Set(["Kustomization", "HelmRelease"]);

/** Written on Flux rows, so a cluster switched from Argo CD to Flux does not keep stale Argo CD words. */
const NO_ARGO_WORDS = { argoSync: null, argoHealth: null, argoOperationPhase: null, argoHistory: null } as const;

const readyOf = (object: LiveFluxObject): Condition | undefined => object.status?.conditions?.find((c) => c.type === "Ready");

/** Controller messages are shown and stored: shortened, and scrubbed of anything that looks like a credential. */
export const cleanMessage = (text: string | null | undefined): string | null => (text ? redactText(text.slice(0, 2000)) : null);

/**
 * Revision drift for a row, shared by every reconciler: the behind/ahead counts belong to a commit,
 * so they are kept only while the applied revision is the one they were counted for (a new one waits
 * for the next Git comparison); a source error or any commit behind or ahead is drift.
 */
export function revisionDriftFields(
  previous: Pick<ConfigurationStatus, "appliedRevision" | "behindBy" | "aheadBy"> | undefined,
  appliedRevision: string | null,
  revisionMessage: string | null,
): Pick<StatusValues, "hasRevisionDrift" | "behindBy" | "aheadBy" | "revisionMessage"> {
  const isSameCommit = previous?.appliedRevision === appliedRevision;
  const behindBy = isSameCommit ? (previous?.behindBy ?? null) : null;
  const aheadBy = isSameCommit ? (previous?.aheadBy ?? null) : null;
  return { hasRevisionDrift: revisionMessage !== null || (behindBy ?? 0) > 0 || (aheadBy ?? 0) > 0, behindBy, aheadBy, revisionMessage };
}

function minText(values: (string | undefined)[]): string | null {
  if (values.length === 0 || values.some((v) => v === undefined)) return null;
  return (values as string[]).reduce((a, b) => (b < a ? b : a));
}

function maxText(values: (string | undefined)[]): string | null {
  const present = values.filter((v): v is string => v !== undefined);
  return present.length === 0 ? null : present.reduce((a, b) => (b > a ? b : a));
}

/** When the applied revision was first applied: Flux's history when it has one, else our own first sighting. */
function lastAppliedAt(kustomization: LiveFluxObject | undefined, appliedRevision: string | null, previous: ConfigurationStatus | undefined, now: number): Date | null {
  if (!appliedRevision) return null;
  const entry = kustomization?.status?.history?.find((h) => h.lastReconciledStatus === "ReconciliationSucceeded" && h.metadata?.revision === appliedRevision);
  const fromHistory = Date.parse(entry?.firstReconciled ?? "");
  if (Number.isFinite(fromHistory)) return new Date(fromHistory);
  if (previous?.appliedRevision === appliedRevision && previous.lastAppliedAt) return previous.lastAppliedAt;
  const ready = kustomization ? readyOf(kustomization) : undefined;
  const transition = ready?.status === "True" ? Date.parse(ready.lastTransitionTime ?? "") : NaN;
  return new Date(Number.isFinite(transition) ? transition : now);
}

/**
 * What a HelmRelease has deployed: the newest `status.history` snapshot whose release is
 * deployed. helm-controller sets lastAttemptedRevision before the upgrade runs, so after a failed
 * upgrade it names the chart version that did not make it.
 */
export function deployedChartVersion(release: LiveFluxObject | undefined): string | null {
  const deployed = (release?.status?.history ?? []).filter((h) => h.status === "deployed" && typeof h.chartVersion === "string");
  if (deployed.length === 0) return null;
  return deployed.reduce((a, b) => ((b.version ?? 0) > (a.version ?? 0) ? b : a)).chartVersion ?? null;
}

function revisionOfObject(object: LiveFluxObject): string | null {
  if (object.kind === "HelmRelease") return deployedChartVersion(object);
  return object.status?.artifact?.revision ?? object.status?.lastAppliedRevision ?? null;
}

/**
 * A reconcile in progress that has nothing new to apply (Kustomizations pass through
 * Ready=Unknown on every interval) is not a state change: the row keeps the state and reason
 * it had, so the timeline, the trend and notifications do not flap every interval. It counts as
 * routine when nothing was pushed since, the applied revision is the one seen before, and every
 * object in progress is the source or a Kustomization already at the source's revision. A new
 * commit, a push or a HelmRelease upgrade (Ready=Unknown only while a Helm action runs) stays Pending.
 */
function isRoutineReconcile(verdict: ConfigurationVerdict | Verdict, live: readonly LiveFluxObject[], sourceRevision: string | null, appliedRevision: string | null, previous: ConfigurationStatus | undefined, expectedVersion: number): previous is ConfigurationStatus {
  if (!verdict.isInProgress || !previous || (previous.state !== "Compliant" && previous.state !== "Non-Compliant")) return false;
  if (previous.expectedVersion !== expectedVersion || previous.appliedRevision !== appliedRevision || !("objects" in verdict)) return false;
  return verdict.objects
    .filter((o) => o.isInProgress)
    .every((o) => {
      if (o.kind !== "Kustomization") return o.kind !== "HelmRelease";
      const object = live.find((l) => l.kind === o.kind && l.metadata.name === o.name && (l.metadata.namespace ?? "") === o.namespace);
      const attempted = object?.status?.lastAttemptedRevision ?? object?.status?.lastAppliedRevision;
      return sourceRevision !== null && attempted === sourceRevision;
    });
}

export function objectsOfConfiguration(live: readonly LiveFluxObject[], name: string): LiveFluxObject[] {
  return live.filter((object) => object.metadata.labels?.[CONFIGURATION_LABEL] === name);
}

/** The status row and object rows for one configuration on a cluster that answered. */
export function observeTarget(
  target: Target,
  live: readonly LiveFluxObject[],
  unservedKinds: ReadonlySet<string>,
  previous: ConfigurationStatus | undefined,
  now: number,
  context: ReadingContext = {},
): { row: StatusValues; objects: ObjectValues[] } {
  const at = new Date(now);
  const mine = objectsOfConfiguration(live, target.name);
  const rendered = Array.isArray(target.rendered) ? target.rendered : [];
  const verdict = Array.isArray(target.rendered)
    ? deriveConfigurationState({ expected: expectedFluxRefs(rendered), expectedVersion: target.expectedVersion, live: mine, ...(target.push ? { push: target.push } : {}), unservedKinds, context, now })
    : { state: "Unknown" as const, reason: "RenderFailed", message: target.rendered.error, appliedVersion: null };
  const find = (kind: string, name: string | undefined) => mine.find((o) => o.kind === kind && o.metadata.name === name);
  const sourceObject = rendered.find((o) => isFluxKind(o.kind) && !WORKLOAD_KINDS.has(o.kind));
  const source = sourceObject ? find(sourceObject.kind, sourceObject.metadata.name) : undefined;
  const workloads = rendered.filter((o) => WORKLOAD_KINDS.has(o.kind)).map((o) => find(o.kind, o.metadata.name));
  const firstKustomization = workloads.find((o) => o?.kind === "Kustomization");
  const appliedRevision = firstKustomization?.status?.lastAppliedRevision ?? deployedChartVersion(workloads.find((o) => o?.kind === "HelmRelease")) ?? null;
  const sourceRevision = source?.status?.artifact?.revision ?? null;
  const shown: Verdict = isRoutineReconcile(verdict, mine, sourceRevision, appliedRevision, previous, target.expectedVersion)
    ? { state: previous!.state, reason: previous!.reason, message: previous!.message }
    : verdict;
  const sourceReady = source ? readyOf(source) : undefined;
  const revisionMessage = sourceReady?.status === "False" ? cleanMessage(sourceReady.message ?? sourceReady.reason ?? "the source failed to fetch") : null;
  const isPushInFlight = target.push?.state === "pending" || target.push?.state === "applying";
  // While a push is landing, differences are the push in progress, not drift.
  const servedKinds = new Set(FLUX_KINDS.filter((kind) => !unservedKinds.has(kind)));
  const drift = isPushInFlight || rendered.length === 0 ? [] : configurationDrift(rendered, mine, servedKinds);
  const row: StatusValues = {
    configurationId: target.configurationId,
    clusterId: target.clusterId,
    // A cluster the inventory has not classified yet is a Flux cluster once it serves a Flux kind.
    reconciler: target.reconciler ?? (unservedKinds.size < FLUX_KINDS.length ? "flux" : null),
    ...NO_ARGO_WORDS,
    state: shown.state,
    reason: shown.reason,
    message: cleanMessage(shown.message),
    expectedVersion: target.expectedVersion,
    appliedVersion: verdict.appliedVersion,
    sourceRevision,
    appliedRevision,
    lastAppliedAt: lastAppliedAt(firstKustomization, appliedRevision, previous, now),
    reconcileRequestedAt: maxText(workloads.map((o) => o?.metadata.annotations?.[REQUESTED_AT])),
    lastHandledReconcileAt: minText(workloads.map((o) => o?.status?.lastHandledReconcileAt)),
    hasConfigDrift: drift.length > 0,
    configDrift: summarizeDrift(drift),
    ...revisionDriftFields(previous, appliedRevision, revisionMessage),
    stateChangedAt: previous && previous.state === shown.state ? previous.stateChangedAt : at,
    observedAt: at,
    lastSeenAt: at,
  };
  const objects = mine.map((object): ObjectValues => {
    const objectVerdict = deriveObjectState(object, now, context);
    const ready = readyOf(object);
    return {
      clusterId: target.clusterId,
      configurationId: target.configurationId,
      kind: object.kind,
      namespace: object.metadata.namespace ?? "",
      name: object.metadata.name,
      state: objectVerdict.state,
      ready: objectReadiness(object, now, context),
      reason: ready?.reason ?? objectVerdict.reason,
      message: cleanMessage(ready?.message ?? objectVerdict.message),
      revision: revisionOfObject(object),
      isSuspended: object.spec?.suspend === true,
      generation: object.metadata.generation ?? null,
      observedGeneration: object.status?.observedGeneration ?? null,
      version: versionOf(object),
      lastHandledReconcileAt: object.status?.lastHandledReconcileAt ?? null,
      inventory: object.kind === "Kustomization" ? (object.status?.inventory?.entries ?? []) : null,
      observedAt: at,
    };
  });
  return { row, objects };
}

/** A cluster that did not answer: its rows turn Unknown, keeping what was last seen (revisions, lastSeenAt). */
export function unreachableRow(target: Pick<Target, "configurationId" | "clusterId" | "expectedVersion" | "reconciler">, previous: ConfigurationStatus | undefined, failure: { kind: string; message: string }, now: number): StatusValues {
  const at = new Date(now);
  const base: StatusValues = previous
    ? { ...previous }
    : { configurationId: target.configurationId, clusterId: target.clusterId, reconciler: target.reconciler, state: "Unknown", expectedVersion: target.expectedVersion, stateChangedAt: at, observedAt: at, lastSeenAt: null };
  return {
    ...base,
    state: "Unknown",
    // The kind, not the message, so a flapping error text does not fill the history.
    reason: `ClusterUnreachable: ${failure.kind}`,
    message: failure.message,
    expectedVersion: target.expectedVersion,
    stateChangedAt: previous?.state === "Unknown" ? previous.stateChangedAt : at,
    observedAt: at,
  };
}
