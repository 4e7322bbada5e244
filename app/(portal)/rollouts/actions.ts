"use server";

import { formFields } from "@/lib/actions/form";
import type { ActionResult } from "@/lib/actions/result";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { CONTROL_VERBS, controlRollout, isControlVerb } from "@/lib/push/rollout-control";

/**
 * One action for a rollout's buttons: the pressed button's value is the verb. Every verb needs
 * configurations.push, as pushing does; the second-person rule for approvals is checked below it.
 */
export async function rolloutControlAction(_prev: unknown, form: FormData): Promise<ActionResult<{ rolloutId?: string }>> {
  const values = formFields(form);
  const rolloutId = values.rolloutId?.slice(0, 100) ?? "";
  const verb = values.verb;
  const known = isControlVerb(verb);
  const actor = auditActor(await requirePermission("configurations.push", { action: `rollout.${known ? verb : "control"}`, targetType: "rollout", targetId: rolloutId }));
  if (!known) return { status: "invalid", fieldErrors: { verb: `must be one of ${CONTROL_VERBS.join(", ")}` }, message: "Unknown rollout action." };
  const clusterId = values.clusterId?.slice(0, 100) ?? "";
  if (verb === "skip" && clusterId === "") return { status: "invalid", fieldErrors: { clusterId: "is required: which cluster to skip" }, message: "Choose a cluster to skip." };
  const result = controlRollout(verb, rolloutId, actor, clusterId);
  if (result.status === "not-found") return { status: "error", message: "No such rollout or cluster." };
  if (result.status === "refused") return { status: "error", message: result.message };
  return { status: "ok", message: result.message, ...(result.rolloutId ? { data: { rolloutId: result.rolloutId } } : {}) };
}
