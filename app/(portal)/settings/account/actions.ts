"use server";

import { z } from "zod";
import { formFields } from "@/lib/actions/form";
import { invalid, type ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { verifyPassword } from "@/lib/auth/password";
import { passwordSchema, setUserPassword } from "@/lib/auth/users";

const schema = z
  .object({ current: z.string().min(1, "is required"), password: passwordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the new password" });

/** Changing your own password ends every other session of yours; this one stays signed in. */
export async function changeOwnPasswordAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const target = { action: "user.change-password", targetType: "user" };
  const actor = await requirePermission("dashboard.read", target);
  const parsed = schema.safeParse(formFields(form));
  if (!parsed.success) return invalid(parsed.error);
  const hash = actor.user.passwordHash;
  if (!hash || !(await verifyPassword(parsed.data.current, hash))) {
    recordAudit({ ...target, targetId: actor.user.email, actor: auditActor(actor), outcome: "invalid", details: { reason: "current password wrong" } });
    return { status: "invalid", fieldErrors: { current: "is not your current password" } };
  }
  await setUserPassword(actor.user.id, parsed.data.password, actor.sessionId);
  recordAudit({ ...target, targetId: actor.user.email, actor: auditActor(actor), outcome: "success" });
  return { status: "ok", message: "Password changed. Your other sessions have ended." };
}
