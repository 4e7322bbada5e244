import { getDb } from "@/db";
import { auditLog, type AuditOutcome, type Role } from "@/db/schema";
import { redact } from "@/lib/security/redact";

export type AuditActor = { id: string | null; email: string; role: Role | null; ip?: string | null };

export const ANONYMOUS: AuditActor = { id: null, email: "anonymous", role: null };

export type AuditRecord = {
  actor: AuditActor;
  action: string;
  targetType: string;
  targetId?: string | null;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
};

/** Appends one audit row. Details are redacted here, so no caller can forget to. */
export function recordAudit(entry: AuditRecord) {
  getDb()
    .insert(auditLog)
    .values({
      at: new Date(),
      actorId: entry.actor.id,
      actorEmail: entry.actor.email,
      actorRole: entry.actor.role,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      outcome: entry.outcome,
      details: JSON.stringify(redact(entry.details ?? {})),
      ip: entry.actor.ip ?? null,
    })
    .run();
}
