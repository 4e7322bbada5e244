"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { AssignmentRow } from "@/db/schema-compliance";
import { formFields } from "@/lib/actions/form";
import { invalid, type ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission, type Actor, type AuditTarget } from "@/lib/auth/current";
import { createAssignment, deleteAssignment, findAssignment, updateAssignment, type AssignmentResult } from "@/lib/compliance/assignments";
import { formatSelector } from "@/lib/compliance/selector-text";
import { nameConfirmationSchema } from "@/lib/inventory/cluster-input";

/** What an assignment is audited as: names and the selector as text, never raw form input. */
const described = (a: AssignmentRow) => ({ name: a.name, configurationId: a.configurationId, selector: formatSelector(a.selector) });

/** Audits the outcome (field names only when refused) and turns it into the form's result. */
function finish(result: AssignmentResult, target: AuditTarget, actor: Actor, verb: string, details: (a: AssignmentRow) => Record<string, unknown>): ActionResult {
  if (result.status === "not-found") return { status: "error", message: "That assignment no longer exists." };
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  recordAudit({ ...target, targetId: result.assignment.name, actor: auditActor(actor), outcome: "success", details: details(result.assignment) });
  revalidatePath("/compliance");
  return { status: "ok", message: `${verb} assignment ${result.assignment.name}.` };
}

export async function createAssignmentAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "assignment.create", targetType: "assignment", targetId: values.name?.slice(0, 63) ?? null };
  const actor = await requirePermission("assignments.write", target);
  return finish(createAssignment(values, actor.user.email), target, actor, "Created", described);
}

export async function updateAssignmentAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "assignment.update", targetType: "assignment", targetId: values.assignmentId?.slice(0, 100) ?? null };
  const actor = await requirePermission("assignments.write", target);
  const before = findAssignment(values.assignmentId ?? "");
  if (!before) return { status: "error", message: "That assignment no longer exists." };
  return finish(updateAssignment(before.id, values, actor.user.email), { ...target, targetId: before.name }, actor, "Saved", (after) => ({ from: described(before), to: described(after) }));
}

export async function deleteAssignmentAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "assignment.delete", targetType: "assignment", targetId: values.assignmentId?.slice(0, 100) ?? null };
  const actor = await requirePermission("assignments.write", target);
  const existing = findAssignment(values.assignmentId ?? "");
  if (!existing) return { status: "error", message: "That assignment no longer exists." };
  const parsed = z.object({ confirm: nameConfirmationSchema(existing.name) }).safeParse(values);
  if (!parsed.success) {
    recordAudit({ ...target, targetId: existing.name, actor: auditActor(actor), outcome: "invalid", details: { fields: ["confirm"] } });
    return invalid(parsed.error);
  }
  const deleted = deleteAssignment(existing.id);
  if (!deleted) return { status: "error", message: "That assignment no longer exists." };
  recordAudit({ ...target, targetId: deleted.name, actor: auditActor(actor), outcome: "success", details: described(deleted) });
  revalidatePath("/compliance");
  // The form lived in the side panel of the row it deleted: back to the list, saying what went.
  redirect(`/compliance?tab=assignments&deleted=${encodeURIComponent(deleted.name)}`);
}
