import type { ConfigurationStatus } from "@/db/schema-status";
import type { Target } from "@/lib/status/expected";
import { unreachableRow, type StatusValues } from "./flux/rows";
import { NO_RECONCILER } from "./no-reconciler";

/**
 * A configuration whose objects include a kind the cluster would not list (a CRD whose conversion
 * webhook is down, API priority and fairness): Unknown, naming the kind, keeping what was last seen.
 * The cluster and its other configurations are unaffected.
 */
export function unreadableKindRow(target: Target, previous: ConfigurationStatus | undefined, kind: string, message: string, now: number): StatusValues {
  return { ...unreachableRow(target, previous, { kind: "server", message }, now), reason: `KindUnreadable: ${kind}` };
}

/** The first kind a target's rendered objects use that could not be listed, with the reason. */
export function failedKindOf(target: Target, failedKinds: ReadonlyMap<string, string>): [string, string] | undefined {
  if (failedKinds.size === 0 || !Array.isArray(target.rendered)) return undefined;
  for (const object of target.rendered) {
    const message = failedKinds.get(object.kind);
    if (message !== undefined) return [object.kind, message];
  }
  return undefined;
}

/** A reachable cluster with neither reconciler installed (nor chosen): its rows say so. */
export function noReconcilerRow(target: Target, previous: ConfigurationStatus | undefined, now: number): StatusValues {
  return { ...unreachableRow(target, previous, { kind: "none", message: NO_RECONCILER }, now), reason: "NoReconciler" };
}
