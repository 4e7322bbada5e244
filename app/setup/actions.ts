"use server";

import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { z } from "zod";
import { formFields } from "@/lib/actions/form";
import { invalid, type ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { recordAnonymousRefusal } from "@/lib/auth/anonymous-refusals";
import { HashingBusyError } from "@/lib/auth/password";
import { clientIp } from "@/lib/auth/request";
import { countUsers, createFirstAdmin, emailSchema, passwordSchema } from "@/lib/auth/users";

const setupSchema = z
  .object({
    name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
    email: emailSchema,
    password: passwordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "does not match the password" });

/** No session exists yet, so the only gate is "no user exists": checked again inside the insert's transaction. */
export async function createFirstAdminAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const ip = clientIp(await headers());
  // Once setup is done the action does not exist, whatever the body says (checked before parsing or hashing).
  if (countUsers() > 0) {
    recordAnonymousRefusal({ ip, action: "setup.create-admin", targetType: "user", details: { reason: "setup already completed" } });
    notFound();
  }
  const parsed = setupSchema.safeParse(formFields(form));
  if (!parsed.success) return invalid(parsed.error);
  let user;
  try {
    // Returns null before any hashing once setup is done; hashing itself waits for a capped slot.
    user = await createFirstAdmin(parsed.data);
  } catch (e) {
    if (e instanceof HashingBusyError) return { status: "error", message: e.message };
    throw e;
  }
  if (!user) {
    recordAnonymousRefusal({ ip, action: "setup.create-admin", targetType: "user", details: { reason: "setup already completed" } });
    notFound();
  }
  recordAudit({ actor: { id: user.id, email: user.email, role: "admin", ip }, action: "setup.create-admin", targetType: "user", targetId: user.email, outcome: "success" });
  return { status: "ok", message: "Administrator created. Sign in to continue." };
}
