import "server-only";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { forbidden, redirect, unauthorized } from "next/navigation";
import { cache } from "react";
import type { User } from "@/db/schema";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { getAuthOptions } from "./options";
import { recordAnonymousRefusal } from "./anonymous-refusals";
import { can, type Permission } from "./permissions";
import { clientIp } from "./request";
import { resolveSession } from "./sessions";

export type Actor = { user: User; sessionId: string; ip: string };

export type AuditTarget = { action: string; targetType: string; targetId?: string | null; details?: Record<string, unknown> };

/** The signed-in user for this request, checked against the sessions table (revocation, expiry, disabled). */
export const getActor = cache(async (): Promise<Actor | null> => {
  const session = await getServerSession(getAuthOptions());
  const user = session?.sid ? resolveSession(session.sid) : null;
  if (!session?.sid || !user) return null;
  return { user, sessionId: session.sid, ip: clientIp(await headers()) };
});

export function auditActor(actor: Actor): AuditActor {
  return { id: actor.user.id, email: actor.user.email, role: actor.user.role, ip: actor.ip };
}

/**
 * The one gate for every server action and route handler: resolves the session, checks the named
 * permission, and audits a refusal before answering 401 (no session) or 403 (not allowed).
 */
export async function requirePermission(permission: Permission, target: AuditTarget): Promise<Actor> {
  const actor = await getActor();
  if (!actor) {
    // Anyone can send these, as often as they like: one aggregated row per address and minute.
    recordAnonymousRefusal({
      ip: clientIp(await headers()),
      action: target.action,
      targetType: target.targetType,
      targetId: target.targetId,
      details: { permission, reason: "not signed in" },
    });
    unauthorized();
  }
  if (!can(actor.user.role, permission)) {
    recordAudit({
      ...target,
      actor: auditActor(actor),
      outcome: "denied",
      details: { ...target.details, permission, reason: `role ${actor.user.role} lacks ${permission}` },
    });
    forbidden();
  }
  return actor;
}

/** For pages: no session sends the browser to /login; a missing permission renders the 403 page. */
export async function requirePageAccess(permission: Permission): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (!can(actor.user.role, permission)) forbidden();
  return actor;
}
