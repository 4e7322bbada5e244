import { COMPLIANCE_STATES, type ComplianceState } from "@/db/schema-status";
import { VERSION_ANNOTATION } from "@/lib/reconcilers/labels";

/**
 * Pure: the compliance state of one Flux object, and of one configuration on one cluster,
 * by the rules of docs/design.md ("Compliance state"). No I/O; `now` is passed in.
 */

export type Condition = { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string; observedGeneration?: number };

export type FluxStatusObject = {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string; time?: string; subresource?: string }[];
  };
  spec?: { suspend?: boolean; type?: string };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
  };
};

/** `isInProgress`: a reconcile of the current generation is running (Ready=Unknown): not a result yet. */
export type Verdict = { state: ComplianceState; reason: string | null; message: string | null; isInProgress?: boolean };

/** What the reading knows of the cluster beyond the object (from the health sweep). */
export type ReadingContext = {
  /** False when the cluster's Flux controllers were seen not ready; undefined when unknown. */
  fluxControllersReady?: boolean;
};

/** A freshly applied object has no status until its controller first sees it: Pending for this long, then Unknown. */
export const NO_STATUS_GRACE_MS = 5 * 60_000;

/**
 * Ready=False reasons that mean "waiting, will retry on a fixed interval", not "failed": a
 * dependency not Ready at the same revision, a HelmChart not ready, health checks cancelled by
 * a newer reconcile. ArtifactFailed is a wait only when the source has no artifact yet (see isWaiting).
 */
export const WAITING_REASONS: ReadonlySet<string> = new Set(["DependencyNotReady", "SourceNotReady", "HealthCheckCanceled"]);

const MAX_MESSAGE = 2000;

export function severity(state: ComplianceState): number {
  return COMPLIANCE_STATES.indexOf(state);
}

/** Non-Compliant > Pending > Unknown > Suspended > Compliant; an empty list is Unknown. */
export function worstState(states: readonly ComplianceState[]): ComplianceState {
  if (states.length === 0) return "Unknown";
  return states.reduce((worst, state) => (severity(state) < severity(worst) ? state : worst));
}

function condition(object: FluxStatusObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

const clip = (text: string | undefined): string | null => (text === undefined || text === "" ? null : text.slice(0, MAX_MESSAGE));

/** The Ready condition's words, for verdicts that come from it. */
function readyWords(object: FluxStatusObject, fallback: string): Pick<Verdict, "reason" | "message"> {
  const ready = condition(object, "Ready");
  return { reason: ready?.reason || fallback, message: clip(ready?.message) };
}

/**
 * Whether a condition speaks of the object's current generation. Flux stamps every condition it
 * sets with metadata.generation (fluxcd/pkg runtime/conditions), while status.observedGeneration
 * only moves on success or a terminal error: a failing new generation keeps the old one (or -1).
 * A condition without a stamp is read against status.observedGeneration.
 */
function isCurrent(object: FluxStatusObject, c: Condition): boolean {
  const generation = object.metadata.generation;
  if (generation === undefined) return true;
  const stamp = c.observedGeneration ?? object.status?.observedGeneration;
  return stamp !== undefined && stamp >= generation;
}

/** kustomize-controller says "artifact not found, retrying in 30s" while the source has no artifact: a wait. */
function isWaiting(ready: Condition): boolean {
  if (WAITING_REASONS.has(ready.reason ?? "")) return true;
  return ready.reason === "ArtifactFailed" && /artifact not found/i.test(ready.message ?? "");
}

/** source-controller treats a HelmRepository of type oci as a static object and never writes its status. */
export function isStaticObject(object: FluxStatusObject): boolean {
  return object.kind === "HelmRepository" && object.spec?.type === "oci";
}

/** When the spec was last written: the newest non-status managedFields entry, else creation. */
function specWrittenAt(object: FluxStatusObject): number {
  const times = (object.metadata.managedFields ?? []).filter((f) => f.subresource !== "status").map((f) => Date.parse(f.time ?? ""));
  const created = Date.parse(object.metadata.creationTimestamp ?? "");
  const known = [created, ...times].filter((t) => Number.isFinite(t));
  return known.length === 0 ? NaN : Math.max(...known);
}

function notReconciled(object: FluxStatusObject, now: number, context: ReadingContext): Verdict | undefined {
  const since = specWrittenAt(object);
  if (!Number.isFinite(since) || now - since < NO_STATUS_GRACE_MS) return undefined;
  const minutes = Math.floor((now - since) / 60_000);
  const why = context.fluxControllersReady === false ? "the Flux controllers on the cluster are not ready" : "is the Flux controller running?";
  return { state: "Unknown", reason: "NotReconciled", message: `generation ${object.metadata.generation ?? "?"} has not been reconciled in ${minutes} min: ${why}` };
}

export function deriveObjectState(object: FluxStatusObject, now: number, context: ReadingContext = {}): Verdict {
  if (object.spec?.suspend === true) return { state: "Suspended", reason: "Suspended", message: "reconciliation is suspended (spec.suspend)" };
  if (isStaticObject(object)) return { state: "Compliant", reason: "StaticObject", message: "an OCI HelmRepository is a static object: source-controller writes no status for it" };
  const status = object.status;
  const conditions = status?.conditions ?? [];
  const generation = object.metadata.generation;
  // No condition yet: the CRD's default observedGeneration (-1) or no status at all.
  if (conditions.length === 0) {
    const late = notReconciled(object, now, context);
    if (late) return status ? late : { ...late, reason: "NoStatus", message: `the object has no status: ${context.fluxControllersReady === false ? "the Flux controllers on the cluster are not ready" : "is the Flux controller running?"}` };
    return { state: "Pending", reason: "Progressing", message: "waiting for the controller to pick up the object" };
  }
  const stalled = condition(object, "Stalled");
  // Stalled means it cannot progress without a spec change: never "in progress".
  if (stalled?.status === "True" && isCurrent(object, stalled)) return { state: "Non-Compliant", reason: stalled.reason || "Stalled", message: clip(stalled.message) };
  const ready = condition(object, "Ready");
  const reconciling = condition(object, "Reconciling");
  // Waiting (dependencies, a chart, an artifact) is Pending whatever the generation.
  if (ready?.status === "False" && isWaiting(ready)) return { state: "Pending", ...readyWords(object, "Progressing") };
  if (!ready) {
    if (reconciling?.status === "True") return { state: "Pending", reason: reconciling.reason || "Progressing", message: clip(reconciling.message), isInProgress: true };
    return { state: "Unknown", reason: "NoReadyCondition", message: "the object reports no Ready condition" };
  }
  if (!isCurrent(object, ready)) {
    return (
      notReconciled(object, now, context) ?? {
        state: "Pending",
        reason: "Progressing",
        message: `generation ${generation} not reconciled yet (last reconciled: ${status?.observedGeneration === undefined || status.observedGeneration < 0 ? "none" : status.observedGeneration})`,
      }
    );
  }
  // A failure being retried (Ready=False, Reconciling=True "ProgressingWithRetry") has failed at this generation.
  if (ready.status === "False") return { state: "Non-Compliant", ...readyWords(object, "NotReady") };
  if (ready.status === "Unknown") return { state: "Pending", ...readyWords(object, "Progressing"), isInProgress: true };
  // Ready=True at this generation stays Compliant while a routine reconcile runs (HelmRelease keeps Ready=True then).
  if (ready.status === "True") return { state: "Compliant", ...readyWords(object, "Succeeded") };
  return { state: "Unknown", reason: "NoReadyCondition", message: "the object reports no Ready condition" };
}

/**
 * Ready, not ready or unknown, as the inventory shows an object: the same rule as its state
 * (deriveObjectState), so a cluster page never says Ready where a configuration page says
 * Pending. A suspended object is read by its conditions; its suspension is reported on its own.
 */
export function objectReadiness(object: FluxStatusObject, now: number, context: ReadingContext = {}): "True" | "False" | "Unknown" {
  const { state } = deriveObjectState(object.spec?.suspend === true ? { ...object, spec: { ...object.spec, suspend: false } } : object, now, context);
  return state === "Compliant" ? "True" : state === "Non-Compliant" ? "False" : "Unknown";
}

export type ObjectRef = { kind: string; namespace: string; name: string };

/** How the last push (or removal) of this configuration went on this cluster. */
export type PushOutcome = {
  version: number;
  action: "apply" | "remove";
  state: "pending" | "applying" | "applied" | "failed" | "interrupted" | "removed" | "superseded" | "skipped" | "aborted";
  reason: string | null;
};

export type ConfigurationInput = {
  /** The Flux objects of the pushed version, in apply order (source first). */
  expected: readonly ObjectRef[];
  expectedVersion: number;
  /** Live objects carrying this configuration's label. */
  live: readonly FluxStatusObject[];
  push?: PushOutcome;
  /** Flux kinds the cluster does not serve (Flux missing, or an older Flux). */
  unservedKinds?: ReadonlySet<string>;
  context?: ReadingContext;
  now: number;
};

export type ConfigurationVerdict = Verdict & { appliedVersion: number | null; objects: (ObjectRef & Verdict)[] };

const objectKey = (ref: ObjectRef): string => `${ref.kind}/${ref.namespace}/${ref.name}`;

export function versionOf(object: FluxStatusObject): number | null {
  const text = object.metadata.annotations?.[VERSION_ANNOTATION];
  const version = text === undefined ? NaN : Number(text);
  return Number.isInteger(version) ? version : null;
}

function missingVerdict(ref: ObjectRef, input: ConfigurationInput): Verdict {
  const { push } = input;
  if (input.unservedKinds?.has(ref.kind)) return { state: "Unknown", reason: "KindNotServed", message: `the cluster does not serve ${ref.kind}: is Flux installed?` };
  if (push?.state === "pending" || push?.state === "applying") return { state: "Pending", reason: "PushInProgress", message: `version ${input.expectedVersion} is being pushed` };
  if (push?.state === "failed") return { state: "Non-Compliant", reason: "PushFailed", message: push.reason };
  return { state: "Unknown", reason: "ObjectMissing", message: "the object is missing from the cluster (deleted outside Fleetline?)" };
}

function expectedObjectVerdict(ref: ObjectRef, live: FluxStatusObject | undefined, input: ConfigurationInput): Verdict {
  if (!live) return missingVerdict(ref, input);
  const version = versionOf(live);
  if (version !== input.expectedVersion) {
    if (input.push?.state === "failed") return { state: "Non-Compliant", reason: "PushFailed", message: input.push.reason };
    return { state: "Pending", reason: "VersionPending", message: `the cluster shows version ${version ?? "none"}; version ${input.expectedVersion} was pushed` };
  }
  return deriveObjectState(live, input.now, input.context);
}

/**
 * A failed push of the expected version outweighs what the cluster shows: objects at that version
 * may have come another way (the same API server registered twice, one registration read-only),
 * and "Compliant" would hide that Fleetline's own push was refused. The reason names the first
 * expected object, as the collector words every push failure.
 */
export function withFailedPush<V extends Verdict>(verdict: V, input: Pick<ConfigurationInput, "expected" | "expectedVersion" | "push">): V {
  const { push } = input;
  if (push?.action !== "apply" || push.state !== "failed" || push.version !== input.expectedVersion) return verdict;
  if (verdict.state === "Non-Compliant" && verdict.reason?.endsWith(": PushFailed")) return verdict;
  const first = input.expected[0];
  return { ...verdict, state: "Non-Compliant", reason: `${first ? `${first.kind}/${first.name}` : "Push"}: PushFailed`, message: push.reason };
}

/**
 * The state of a configuration on a cluster: the worst of its expected objects, where an
 * object not yet at the pushed version is Pending and one absent after the push is Unknown
 * (Non-Compliant when the push itself failed). The reason names the worst object.
 */
export function deriveConfigurationState(input: ConfigurationInput): ConfigurationVerdict {
  const byKey = new Map(input.live.map((object) => [objectKey({ kind: object.kind, namespace: object.metadata.namespace ?? "", name: object.metadata.name }), object]));
  if (input.push?.action === "remove") {
    const failed = input.push.state === "failed";
    const verdict: Verdict = failed
      ? { state: "Non-Compliant", reason: "RemovalFailed", message: input.push.reason }
      : { state: "Pending", reason: "Removing", message: "the configuration is being removed from this cluster" };
    return { ...verdict, appliedVersion: null, objects: [] };
  }
  const objects = input.expected.map((ref) => ({ ...ref, ...expectedObjectVerdict(ref, byKey.get(objectKey(ref)), input) }));
  const versions = input.expected.map((ref) => {
    const live = byKey.get(objectKey(ref));
    return live ? versionOf(live) : null;
  });
  return withFailedPush({ ...summarizeObjects(objects, versions), objects }, input);
}

/**
 * The configuration's verdict from its objects' (shared by Flux objects and Argo CD
 * Applications): the worst state, named by its first object in apply order (a failing source
 * before the Kustomizations it breaks), and the lowest version shown when every object shows one.
 */
export function summarizeObjects(objects: readonly (ObjectRef & Verdict)[], versions: readonly (number | null)[]): Verdict & { appliedVersion: number | null } {
  const state = worstState(objects.map((o) => o.state));
  const worst = objects.find((o) => o.state === state);
  const shown = versions.filter((v): v is number => v !== null);
  const pending = objects.filter((o) => o.state === "Pending");
  return {
    state,
    reason: worst ? `${worst.kind}/${worst.name}: ${worst.reason ?? state}` : "NoObjects",
    message: worst?.message ?? null,
    appliedVersion: shown.length === versions.length && shown.length > 0 ? Math.min(...shown) : null,
    // Pending only because reconciles of the current generation are running.
    ...(state === "Pending" && pending.every((o) => o.isInProgress === true) ? { isInProgress: true } : {}),
  };
}
