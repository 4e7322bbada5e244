import { NO_STATUS_GRACE_MS, summarizeObjects, versionOf, withFailedPush, type ConfigurationVerdict, type ObjectRef, type PushOutcome, type Verdict } from "@/lib/reconcilers/flux/derive";

/**
 * Pure: an Argo CD Application's status mapped onto Fleetline's compliance states, and a
 * configuration's state on an Argo CD cluster in the shape deriveConfigurationState gives for
 * Flux, so the collector, pages and compliance matrix treat both reconcilers alike.
 */

export type ArgoResourceStatus = { group?: string; version?: string; kind?: string; namespace?: string; name?: string; status?: string; health?: { status?: string } };

export type ArgoApplication = {
  kind?: string;
  metadata: { name: string; namespace?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { syncPolicy?: { automated?: object | null }; source?: { targetRevision?: string } };
  /** A requested operation Argo CD has not finished; it clears the field when done. */
  operation?: object | null;
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    /** `source` is the source as deployed, targetRevision included (it may differ from the spec's now). */
    history?: { id?: number; revision?: string; deployedAt?: string; source?: { targetRevision?: string } }[];
    resources?: ArgoResourceStatus[];
    operationState?: { phase?: string; message?: string };
    conditions?: { type?: string; message?: string }[];
  };
};

export type ArgoHistoryEntry = { id: number; revision: string; deployedAt: string };
/** A resource of an Application that differs from Git. */
export type ArgoResourceDrift = { application: string; group?: string; kind: string; namespace?: string; name: string };

/** The raw Argo CD words kept beside the compliance state. */
export type ArgoSnapshot = {
  sync: string | null;
  health: string | null;
  revision: string | null;
  operationPhase: string | null;
  /** status.history, oldest first as Argo CD keeps it. */
  history: ArgoHistoryEntry[];
  resourceDrift: ArgoResourceDrift[];
};

const MAX_MESSAGE = 2000;
const RUNNING_PHASES = new Set(["Running", "Terminating"]);
// Argo CD's own order from best to worst: a configuration is as healthy as its worst Application.
const HEALTH_ORDER = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

const clip = (text: string | undefined): string | null => (text ? text.slice(0, MAX_MESSAGE) : null);
const appVersion = (app: ArgoApplication): number | null => versionOf({ kind: "Application", metadata: app.metadata });

export function isOperationRunning(app: ArgoApplication): boolean {
  return (app.operation !== undefined && app.operation !== null) || RUNNING_PHASES.has(app.status?.operationState?.phase ?? "");
}

// Not being able to read the spec or the source comes before a sync that failed.
const ERROR_ORDER = ["InvalidSpecError", "ComparisonError", "SyncError"];

/**
 * An error condition: InvalidSpecError, ComparisonError (Argo CD could not compare; it reports
 * repository errors only after its grace period, three minutes by default, and then clears
 * sync.revision), SyncError (an automated sync of this revision failed and will not be retried).
 */
function errorCondition(app: ArgoApplication) {
  const errors = (app.status?.conditions ?? []).filter((c) => c.type?.endsWith("Error"));
  const rank = (type: string | undefined) => {
    const index = ERROR_ORDER.indexOf(type ?? "");
    return index === -1 ? ERROR_ORDER.length : index;
  };
  return errors.sort((a, b) => rank(a.type) - rank(b.type))[0];
}

const FAILED_PHASES = new Set(["Failed", "Error"]);

/**
 * Operation running -> Pending; automated sync off (suspended by Fleetline) -> Suspended;
 * OutOfSync, Degraded, Missing or an error condition -> Non-Compliant; Progressing -> Pending;
 * Suspended health -> Suspended; Synced + Healthy -> Compliant; no status -> Unknown (Pending
 * for a short while after creation, as for Flux objects).
 */
export function deriveApplicationState(app: ArgoApplication, now: number): Verdict {
  const status = app.status;
  const sync = status?.sync?.status;
  const health = status?.health?.status;
  if (isOperationRunning(app)) return { state: "Pending", reason: "OperationRunning", message: clip(status?.operationState?.message) ?? "a sync operation is running" };
  if (!sync && !health) {
    const created = Date.parse(app.metadata.creationTimestamp ?? "");
    return Number.isFinite(created) && now - created < NO_STATUS_GRACE_MS
      ? { state: "Pending", reason: "Progressing", message: "waiting for Argo CD to pick up the Application" }
      : { state: "Unknown", reason: "NoStatus", message: "the Application has no status: is the Argo CD application controller running?" };
  }
  if (!app.spec?.syncPolicy?.automated) return { state: "Suspended", reason: "AutoSyncDisabled", message: "automated sync is off (suspended)" };
  const error = errorCondition(app);
  if (error) return { state: "Non-Compliant", reason: error.type ?? "Error", message: clip(error.message) };
  // The sync finished failed; Argo CD adds its SyncError condition on its next refresh.
  if (sync === "OutOfSync" && FAILED_PHASES.has(status?.operationState?.phase ?? "")) return { state: "Non-Compliant", reason: "SyncFailed", message: clip(status?.operationState?.message) };
  if (health === "Degraded" || health === "Missing") return { state: "Non-Compliant", reason: health, message: clip(status?.health?.message) };
  if (sync === "OutOfSync") return { state: "Non-Compliant", reason: "OutOfSync", message: clip(status?.health?.message) };
  if (health === "Progressing") return { state: "Pending", reason: "Progressing", message: clip(status?.health?.message) };
  if (health === "Suspended") return { state: "Suspended", reason: "Suspended", message: clip(status?.health?.message) };
  if (sync === "Synced" && health === "Healthy") return { state: "Compliant", reason: "Synced", message: null };
  return { state: "Unknown", reason: `${sync ?? "Unknown"}/${health ?? "Unknown"}`, message: clip(status?.health?.message) };
}

export function applicationSnapshot(app: ArgoApplication): ArgoSnapshot {
  const status = app.status;
  return {
    sync: status?.sync?.status ?? null,
    health: status?.health?.status ?? null,
    revision: status?.sync?.revision ?? null,
    operationPhase: status?.operationState?.phase ?? null,
    history: (status?.history ?? []).flatMap((h) => (h.id === undefined || !h.revision || !h.deployedAt ? [] : [{ id: h.id, revision: h.revision, deployedAt: h.deployedAt }])),
    resourceDrift: (status?.resources ?? []).flatMap((r) =>
      r.status !== "OutOfSync" || !r.kind || !r.name
        ? []
        : [{ application: app.metadata.name, ...(r.group ? { group: r.group } : {}), kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name }],
    ),
  };
}

/** The Applications among rendered objects, as the references a verdict is derived for (apply order). */
export function expectedApplicationRefs(rendered: readonly { kind: string; metadata: { name: string; namespace?: string } }[]): ObjectRef[] {
  return rendered.filter((o) => o.kind === "Application").map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name }));
}

export type ArgoConfigurationInput = {
  /** The Applications of the pushed version (ObjectRef with kind "Application"). */
  expected: readonly ObjectRef[];
  expectedVersion: number;
  /** Live Applications carrying this configuration's label. */
  live: readonly ArgoApplication[];
  push?: PushOutcome;
  /** False when the cluster does not serve argoproj.io Applications (Argo CD missing). */
  isServed?: boolean;
  now: number;
};

/** The configuration's Argo CD words: per Application, and summed up as the first Application's revision and history. */
export type ArgoConfigurationDetail = ArgoSnapshot & { applications: (ArgoSnapshot & { name: string })[] };
export type ArgoConfigurationVerdict = ConfigurationVerdict & { argo: ArgoConfigurationDetail };

function missingVerdict(input: ArgoConfigurationInput): Verdict {
  const { push } = input;
  if (input.isServed === false) return { state: "Unknown", reason: "KindNotServed", message: "the cluster does not serve Application: is Argo CD installed?" };
  if (push?.state === "pending" || push?.state === "applying") return { state: "Pending", reason: "PushInProgress", message: `version ${input.expectedVersion} is being pushed` };
  if (push?.state === "failed") return { state: "Non-Compliant", reason: "PushFailed", message: push.reason };
  return { state: "Unknown", reason: "ObjectMissing", message: "the Application is missing from the cluster (deleted outside Fleetline?)" };
}

function expectedVerdict(app: ArgoApplication | undefined, input: ArgoConfigurationInput): Verdict {
  if (!app) return missingVerdict(input);
  const version = appVersion(app);
  if (version !== input.expectedVersion) {
    if (input.push?.state === "failed") return { state: "Non-Compliant", reason: "PushFailed", message: input.push.reason };
    return { state: "Pending", reason: "VersionPending", message: `the cluster shows version ${version ?? "none"}; version ${input.expectedVersion} was pushed` };
  }
  return deriveApplicationState(app, input.now);
}

function summarize(snapshots: (ArgoSnapshot & { name: string })[]): ArgoConfigurationDetail {
  const first = snapshots[0];
  const syncs = snapshots.map((s) => s.sync);
  const sync = syncs.length === 0 ? null : syncs.every((s) => s === "Synced") ? "Synced" : syncs.includes("OutOfSync") ? "OutOfSync" : "Unknown";
  const healths = snapshots.map((s) => s.health ?? "Unknown");
  const health = healths.length === 0 ? null : healths.reduce((worst, h) => (HEALTH_ORDER.indexOf(h) > HEALTH_ORDER.indexOf(worst) ? h : worst));
  return {
    sync,
    health,
    revision: first?.revision ?? null,
    operationPhase: first?.operationPhase ?? null,
    history: first?.history ?? [],
    resourceDrift: snapshots.flatMap((s) => s.resourceDrift),
    applications: snapshots,
  };
}

/**
 * The state of a configuration on an Argo CD cluster: the worst of its expected Applications,
 * an Application not yet at the pushed version being Pending and a missing one Unknown
 * (Non-Compliant when the push failed), exactly as for Flux objects.
 */
export function deriveArgoConfigurationState(input: ArgoConfigurationInput): ArgoConfigurationVerdict {
  const byName = new Map(input.live.map((app) => [`${app.metadata.namespace ?? ""}/${app.metadata.name}`, app]));
  const find = (ref: ObjectRef) => byName.get(`${ref.namespace}/${ref.name}`);
  const present = input.expected.flatMap((ref) => {
    const app = find(ref);
    return app ? [{ name: app.metadata.name, ...applicationSnapshot(app) }] : [];
  });
  const argo = summarize(present);
  if (input.push?.action === "remove") {
    const failed = input.push.state === "failed";
    const verdict: Verdict = failed
      ? { state: "Non-Compliant", reason: "RemovalFailed", message: input.push.reason }
      : { state: "Pending", reason: "Removing", message: "the configuration is being removed from this cluster" };
    return { ...verdict, appliedVersion: null, objects: [], argo };
  }
  const objects = input.expected.map((ref) => ({ ...ref, ...expectedVerdict(find(ref), input) }));
  const versions = input.expected.map((ref) => {
    const app = find(ref);
    return app ? appVersion(app) : null;
  });
  return withFailedPush({ ...summarizeObjects(objects, versions), objects, argo }, input);
}
