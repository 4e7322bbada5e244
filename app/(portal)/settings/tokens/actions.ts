"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/actions/form";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { createToken, revokeToken } from "@/lib/auth/tokens";

/** Creates a personal API token; the token itself is in the answer once and nowhere else (not the audit, not the log). */
export async function createTokenAction(_prev: unknown, form: FormData): Promise<ActionResult<{ token: string }>> {
  const values = formFields(form);
  const target = { action: "token.create", targetType: "token", targetId: values.name?.slice(0, 64) ?? null };
  const actor = await requirePermission("dashboard.read", target);
  const result = createToken(actor.user, values);
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  const { row } = result;
  recordAudit({ ...target, targetId: row.name, actor: auditActor(actor), outcome: "success", details: { id: row.id, prefix: row.prefix, role: row.role, expiresAt: row.expiresAt.toISOString() } });
  revalidatePath("/settings/tokens");
  return { status: "ok", message: `Created token ${row.name} (${row.role}, until ${row.expiresAt.toISOString().slice(0, 10)}). Copy it now: it is not shown again.`, data: { token: result.token } };
}

/** Revokes one of the caller's tokens, or any token for an admin. */
export async function revokeTokenAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).tokenId ?? "";
  const target = { action: "token.revoke", targetType: "token", targetId: id.slice(0, 100) };
  const actor = await requirePermission("dashboard.read", target);
  const revoked = revokeToken(id, { id: actor.user.id, email: actor.user.email, role: can(actor.user.role, "users.write") ? "admin" : actor.user.role });
  if (!revoked) return { status: "error", message: "No such token of yours, or it is revoked already." };
  recordAudit({ ...target, targetId: revoked.name, actor: auditActor(actor), outcome: "success", details: { id: revoked.id, prefix: revoked.prefix, owner: revoked.userId } });
  revalidatePath("/settings/tokens");
  return { status: "ok", message: `Revoked token ${revoked.name}.` };
}
