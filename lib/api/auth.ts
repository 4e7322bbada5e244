import "server-only";
import { recordAnonymousRefusal } from "@/lib/auth/anonymous-refusals";
import { can, type Permission } from "@/lib/auth/permissions";
import { clientIp } from "@/lib/auth/request";
import { verifyBearer, type TokenCaller } from "@/lib/auth/tokens";
import { recordAudit, type AuditActor } from "@/lib/audit";

// The one gate of /api/v1 (issue 16): a Bearer API token, the same permissions as the pages
// (with the token's role, never above its owner's), and every call audited with the token's name.

export type ApiCall = { caller: TokenCaller; actor: AuditActor; audit: (outcome: "success" | "invalid" | "failed", details?: Record<string, unknown>) => void };

const problem = (status: number, message: string, headers: Record<string, string> = {}) => Response.json({ error: message }, { status, headers: { "Cache-Control": "no-store", ...headers } });

/**
 * Resolves the caller or answers for it: 401 (no or bad token; counted toward the address's
 * limit, logged as one aggregated row per address and minute), 429 (that limit reached), 403
 * (the token's role lacks the permission; audited).
 */
export function requireApiCaller(request: Request, permission: Permission, action: string, targetId: string | null = null): ApiCall | Response {
  const ip = clientIp(request.headers);
  const outcome = verifyBearer(request.headers.get("authorization"), ip);
  if (!outcome.ok) {
    recordAnonymousRefusal({ ip, action: `api.${action}`, targetType: "api", targetId, details: { reason: outcome.message } });
    return problem(outcome.status, outcome.message, outcome.retryAfterS ? { "Retry-After": String(outcome.retryAfterS) } : { "WWW-Authenticate": 'Bearer realm="fleetline"' });
  }
  const { caller } = outcome;
  const actor: AuditActor = { id: caller.user.id, email: caller.user.email, role: caller.role, ip };
  const base = { actor, action: `api.${action}`, targetType: "api", targetId };
  // Named "via" (a key named token would be redacted by the audit log, and the name is no secret).
  const token = { via: `API token ${caller.token.name}`, viaId: caller.token.id, method: request.method };
  if (!can(caller.role, permission)) {
    recordAudit({ ...base, outcome: "denied", details: { ...token, permission, reason: `role ${caller.role} lacks ${permission}` } });
    return problem(403, `this token's role (${caller.role}) may not ${permission}`);
  }
  return { caller, actor, audit: (result, details = {}) => recordAudit({ ...base, outcome: result, details: { ...token, ...details } }) };
}

/** JSON with no caching (API answers carry fleet state). */
export const apiJson = (body: unknown, status = 200) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
