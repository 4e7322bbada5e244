"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/actions/form";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { decideWaiver, requestWaiver, waiverAuditDetails, waiverScope, type Decision } from "@/lib/policy/waivers";

/** Asks for a risk acceptance; it holds only once a second person approves it. */
export async function requestWaiverAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "waiver.request", targetType: "waiver", targetId: values.policy?.slice(0, 200) ?? null };
  const actor = await requirePermission("waivers.write", target);
  const result = requestWaiver(values, { id: actor.user.id, email: actor.user.email });
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  const w = result.waiver;
  recordAudit({ ...target, targetId: w.id, actor: auditActor(actor), outcome: "success", details: { ...waiverAuditDetails(w), reason: w.reason } });
  revalidatePath("/compliance");
  return { status: "ok", message: `Asked to accept the risk of ${waiverScope(w)} until ${w.expiresAt.toISOString().slice(0, 10)}: another operator or admin must approve it.` };
}

const DECISIONS: Record<string, { decision: Decision; verb: string }> = {
  approve: { decision: "approve", verb: "Approved" },
  reject: { decision: "reject", verb: "Rejected" },
  withdraw: { decision: "withdraw", verb: "Withdrew" },
};

/** Approves, rejects or withdraws a waiver (the button pressed names which). */
export async function decideWaiverAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const chosen = DECISIONS[values.decision ?? ""];
  const target = { action: `waiver.${chosen?.decision ?? "decide"}`, targetType: "waiver", targetId: values.waiverId?.slice(0, 100) ?? null };
  const actor = await requirePermission("waivers.write", target);
  if (!chosen) return { status: "error", message: "Choose approve, reject or withdraw." };
  const result = decideWaiver(values.waiverId ?? "", chosen.decision, { id: actor.user.id, email: actor.user.email }, values.note ?? "");
  if (result.status === "error") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { reason: result.message } });
    return result;
  }
  const w = result.waiver;
  recordAudit({ ...target, actor: auditActor(actor), outcome: "success", details: { ...waiverAuditDetails(w), note: w.decisionNote } });
  revalidatePath("/compliance");
  revalidatePath("/");
  return { status: "ok", message: `${chosen.verb} the waiver for ${waiverScope(w)}.` };
}
