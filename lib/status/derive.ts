import { COMPLIANCE_STATES, type ComplianceState } from "@/db/schema-status";
import { VERSION_ANNOTATION } from "@/lib/flux/metadata";

/**
 * Pure: the compliance state of one Flux object, and of one configuration on one cluster,
 * by the rules of docs/design.md ("Compliance state"). No I/O; `now` is passed in.
 */

export type Condition = { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string };

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
  };
  spec?: { suspend?: boolean };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    artifact?: { revision?: string };
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
  };
};

export type Verdict = { state: ComplianceState; reason: string | null; message: string | null };

/** A freshly applied object has no status until its controller first sees it: Pending for this long, then Unknown. */
export const NO_STATUS_GRACE_MS = 5 * 60_000;

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

export function deriveObjectState(object: FluxStatusObject, now: number): Verdict {
  if (object.spec?.suspend === true) return { state: "Suspended", reason: "Suspended", message: "reconciliation is suspended (spec.suspend)" };
  const status = object.status;
  if (!status || (status.observedGeneration === undefined && (status.conditions ?? []).length === 0)) {
    const created = Date.parse(object.metadata.creationTimestamp ?? "");
    const isFresh = Number.isFinite(created) && now - created < NO_STATUS_GRACE_MS;
    return isFresh
      ? { state: "Pending", reason: "Progressing", message: "waiting for the controller to pick up the object" }
      : { state: "Unknown", reason: "NoStatus", message: "the object has no status: is the Flux controller running?" };
  }
  const stalled = condition(object, "Stalled");
  // Stalled means it cannot progress without a spec change: never "in progress".
  if (stalled?.status === "True") return { state: "Non-Compliant", reason: stalled.reason || "Stalled", message: clip(stalled.message) };
  const generation = object.metadata.generation;
  if (generation !== undefined && (status.observedGeneration ?? 0) < generation) {
    return { state: "Pending", reason: "Progressing", message: `generation ${generation} not reconciled yet (last reconciled: ${status.observedGeneration ?? "none"})` };
  }
  const ready = condition(object, "Ready");
  const reconciling = condition(object, "Reconciling");
  // A failure being retried (Ready=False, Reconciling=True "ProgressingWithRetry") has already failed at this generation.
  if (ready?.status === "False") return { state: "Non-Compliant", ...readyWords(object, "NotReady") };
  if (reconciling?.status === "True") return { state: "Pending", reason: reconciling.reason || "Progressing", message: clip(reconciling.message ?? ready?.message) };
  if (ready?.status === "Unknown") return { state: "Pending", ...readyWords(object, "Progressing") };
  if (ready?.status === "True") return { state: "Compliant", ...readyWords(object, "Succeeded") };
  return { state: "Unknown", reason: "NoReadyCondition", message: "the object reports no Ready condition" };
}

export type ObjectRef = { kind: string; namespace: string; name: string };

/** How the last push (or removal) of this configuration went on this cluster. */
export type PushOutcome = {
  version: number;
  action: "apply" | "remove";
  state: "pending" | "applying" | "applied" | "failed" | "interrupted" | "removed";
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
  return deriveObjectState(live, input.now);
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
  return {
    state,
    reason: worst ? `${worst.kind}/${worst.name}: ${worst.reason ?? state}` : "NoObjects",
    message: worst?.message ?? null,
    appliedVersion: shown.length === versions.length && shown.length > 0 ? Math.min(...shown) : null,
  };
}
