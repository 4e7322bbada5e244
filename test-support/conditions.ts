// metav1.Condition helpers shared by the stand-ins.
import type { KubeObject } from "./kube-rest";

export type ConditionStatus = "True" | "False" | "Unknown";

export type Condition = {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
};

export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  const status = obj?.status as { conditions?: Condition[] } | undefined;
  return status?.conditions ?? [];
}

export function getCondition(obj: KubeObject | undefined, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** Sets a condition, keeping lastTransitionTime when the status did not change (as apimachinery does). */
export function setCondition(list: Condition[], next: ConditionInput, generation: number | undefined): Condition[] {
  const previous = list.find((c) => c.type === next.type);
  const lastTransitionTime =
    previous && previous.status === next.status ? previous.lastTransitionTime : now();
  const condition: Condition = { ...next, lastTransitionTime, ...(generation === undefined ? {} : { observedGeneration: generation }) };
  return [...list.filter((c) => c.type !== next.type), condition];
}

/** Ready=True and observed at the current generation: what a portal may trust. */
export function isReady(obj: KubeObject | undefined): boolean {
  const observed = (obj?.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  return getCondition(obj, "Ready")?.status === "True" && observed === obj?.metadata.generation;
}

/** RFC 3339 without fractional seconds, as Kubernetes serialises metav1.Time. */
export const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");
