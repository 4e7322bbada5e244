"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/actions/form";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { formatSelector } from "@/lib/compliance/selector-text";
import { wakeHeldRollouts } from "@/lib/push/run";
import { createWindow, deleteWindow, findWindow } from "@/lib/windows/store";

/** Creates a maintenance window; held pushes look at their windows again at once. */
export async function createWindowAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "window.create", targetType: "window", targetId: values.name?.slice(0, 63) ?? null };
  const actor = await requirePermission("settings.write", target);
  const result = createWindow(values, actor.user.email);
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  const w = result.window;
  recordAudit({
    ...target,
    targetId: w.name,
    actor: auditActor(actor),
    outcome: "success",
    details: { kind: w.kind, selector: formatSelector(w.selector), cron: w.cron, durationMinutes: w.durationMinutes, timeZone: w.timeZone, startsAt: w.startsAt?.toISOString() ?? null, endsAt: w.endsAt?.toISOString() ?? null, reason: w.reason },
  });
  wakeHeldRollouts();
  revalidatePath("/settings/windows");
  return { status: "ok", message: `Created ${w.kind} window ${w.name}.` };
}

export async function deleteWindowAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).windowId ?? "";
  const target = { action: "window.delete", targetType: "window", targetId: id.slice(0, 100) };
  const actor = await requirePermission("settings.write", target);
  const existing = findWindow(id);
  const deleted = existing ? deleteWindow(existing.id) : undefined;
  if (!deleted) return { status: "error", message: "That window no longer exists." };
  recordAudit({ ...target, targetId: deleted.name, actor: auditActor(actor), outcome: "success", details: { kind: deleted.kind, selector: formatSelector(deleted.selector) } });
  wakeHeldRollouts();
  revalidatePath("/settings/windows");
  return { status: "ok", message: `Deleted window ${deleted.name}.` };
}
