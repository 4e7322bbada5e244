"use server";

import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { z } from "zod";
import { invalid, type ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { clientIp } from "@/lib/auth/request";
import { createFirstAdmin, emailSchema, passwordSchema } from "@/lib/auth/users";

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
  const parsed = setupSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return invalid(parsed.error);
  const ip = clientIp(await headers());
  const user = await createFirstAdmin(parsed.data);
  if (!user) {
    recordAudit({ actor: { id: null, email: "anonymous", role: null, ip }, action: "setup.create-admin", targetType: "user", outcome: "denied", details: { reason: "setup already completed" } });
    notFound();
  }
  recordAudit({ actor: { id: user.id, email: user.email, role: "admin", ip }, action: "setup.create-admin", targetType: "user", targetId: user.email, outcome: "success" });
  return { status: "ok", message: "Administrator created. Sign in to continue." };
}
