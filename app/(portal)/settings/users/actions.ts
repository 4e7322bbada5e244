"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ROLES } from "@/db/enums";
import { formFields } from "@/lib/actions/form";
import { invalid, type ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import {
  DuplicateEmailError,
  countActiveAdmins,
  createUser,
  findUserById,
  newUserSchema,
  passwordSchema,
  setUserDisabled,
  setUserPassword,
  setUserRole,
} from "@/lib/auth/users";
import { highlightedFields } from "@/lib/validation/field-labels";

const userIdSchema = z.string().uuid("is not a user id");

export async function createUserAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const target = { action: "user.create", targetType: "user", targetId: (formFields(form).email ?? "").slice(0, 254) };
  const actor = await requirePermission("users.write", target);
  const parsed = newUserSchema.safeParse(formFields(form));
  if (!parsed.success) {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: parsed.error.issues.map((i) => i.path.join(".")) } });
    return invalid(parsed.error);
  }
  try {
    const user = await createUser(parsed.data);
    recordAudit({ ...target, targetId: user.email, actor: auditActor(actor), outcome: "success", details: { role: user.role } });
  } catch (e) {
    if (!(e instanceof DuplicateEmailError)) throw e;
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { reason: e.message } });
    return { status: "invalid", fieldErrors: { email: e.message }, message: highlightedFields(["email"]) };
  }
  revalidatePath("/settings/users");
  return { status: "ok", message: `Created ${parsed.data.email} as ${parsed.data.role}.` };
}

const roleChangeSchema = z.object({ userId: userIdSchema, role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }) });

export async function changeUserRoleAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const target = { action: "user.change-role", targetType: "user", targetId: formFields(form).userId ?? "" };
  const actor = await requirePermission("users.write", target);
  const parsed = roleChangeSchema.safeParse(formFields(form));
  if (!parsed.success) return invalid(parsed.error);
  const user = findUserById(parsed.data.userId);
  if (!user) return { status: "error", message: "That user no longer exists." };
  if (user.role === "admin" && parsed.data.role !== "admin" && !user.isDisabled && countActiveAdmins() <= 1) {
    recordAudit({ ...target, targetId: user.email, actor: auditActor(actor), outcome: "invalid", details: { reason: "last admin" } });
    return { status: "invalid", fieldErrors: { role: "the last active admin must stay admin" } };
  }
  setUserRole(user.id, parsed.data.role);
  recordAudit({ ...target, targetId: user.email, actor: auditActor(actor), outcome: "success", details: { from: user.role, to: parsed.data.role } });
  revalidatePath("/settings/users");
  return { status: "ok", message: `${user.email} is now ${parsed.data.role}.` };
}

const disableSchema = z.object({ userId: userIdSchema, disabled: z.enum(["true", "false"]) });

export async function setUserDisabledAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const target = { action: "user.set-disabled", targetType: "user", targetId: formFields(form).userId ?? "" };
  const actor = await requirePermission("users.write", target);
  const parsed = disableSchema.safeParse(formFields(form));
  if (!parsed.success) return invalid(parsed.error);
  const user = findUserById(parsed.data.userId);
  if (!user) return { status: "error", message: "That user no longer exists." };
  const disable = parsed.data.disabled === "true";
  if (disable && user.id === actor.user.id) return { status: "error", message: "You cannot disable your own account." };
  if (disable && user.role === "admin" && countActiveAdmins() <= 1) {
    return { status: "error", message: "The last active admin cannot be disabled." };
  }
  setUserDisabled(user.id, disable);
  recordAudit({ ...target, targetId: user.email, actor: auditActor(actor), outcome: "success", details: { disabled: disable } });
  revalidatePath("/settings/users");
  return { status: "ok", message: `${user.email} ${disable ? "disabled; their sessions have ended" : "enabled"}.` };
}

const resetSchema = z.object({ userId: userIdSchema, password: passwordSchema });

export async function resetUserPasswordAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const target = { action: "user.reset-password", targetType: "user", targetId: formFields(form).userId ?? "" };
  const actor = await requirePermission("users.write", target);
  const parsed = resetSchema.safeParse(formFields(form));
  if (!parsed.success) return invalid(parsed.error);
  const user = findUserById(parsed.data.userId);
  if (!user || user.authSource !== "local") return { status: "error", message: "Only local accounts have a password." };
  await setUserPassword(user.id, parsed.data.password);
  recordAudit({ ...target, targetId: user.email, actor: auditActor(actor), outcome: "success" });
  revalidatePath("/settings/users");
  return { status: "ok", message: `Password of ${user.email} reset; their sessions have ended.` };
}
