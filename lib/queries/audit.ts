import "server-only";
import { and, count, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { containsInsensitive, startsWithInsensitive } from "@/db/sql-dialect";
import { AUDIT_OUTCOMES, auditLog, clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import type { AuditNames } from "@/lib/audit-words";

export const AUDIT_PAGE_SIZE = 50;

const text = z.string().trim().max(200).optional().catch(undefined);

export const auditFilterSchema = z.object({
  actor: text,
  action: text,
  target: text,
  outcome: z.enum(AUDIT_OUTCOMES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

function whereFor(f: AuditFilter): SQL | undefined {
  const clauses: (SQL | undefined)[] = [
    f.actor ? containsInsensitive(auditLog.actorEmail, f.actor) : undefined,
    f.action ? startsWithInsensitive(auditLog.action, f.action) : undefined,
    f.target ? or(containsInsensitive(auditLog.targetId, f.target), eq(auditLog.targetType, f.target)) : undefined,
    f.outcome ? eq(auditLog.outcome, f.outcome) : undefined,
  ];
  return and(...clauses);
}

export function listAudit(f: AuditFilter) {
  const db = getDb();
  const where = whereFor(f);
  const total = db.select({ n: count() }).from(auditLog).where(where).get()?.n ?? 0;
  const rows = db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((f.page - 1) * AUDIT_PAGE_SIZE)
    .all();
  return { rows, total };
}

/** Walks the filtered log newest first in keyset batches, so an export never holds it all in memory. */
export function* iterateAudit(f: AuditFilter, batch = 1000) {
  const db = getDb();
  let before: number | undefined;
  for (;;) {
    const rows = db
      .select()
      .from(auditLog)
      .where(and(whereFor(f), before === undefined ? undefined : lt(auditLog.id, before)))
      .orderBy(desc(auditLog.id))
      .limit(batch)
      .all();
    yield* rows;
    if (rows.length < batch) return;
    before = rows[rows.length - 1]!.id;
  }
}

export function distinctAuditActions(): string[] {
  return getDb()
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .orderBy(auditLog.action)
    .all()
    .map((r) => r.action);
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/**
 * The names behind the cluster and configuration ids a page (or an export batch) of entries
 * mentions, as target or inside details; deleted configurations keep their name.
 */
export function auditNames(rows: readonly { targetId: string | null; details: string }[]): AuditNames {
  const ids = new Set<string>();
  for (const r of rows) {
    for (const id of `${r.targetId ?? ""} ${r.details}`.match(UUID) ?? []) ids.add(id);
  }
  if (ids.size === 0) return { clusters: new Map(), configurations: new Map() };
  const list = [...ids];
  const db = getDb();
  return {
    clusters: new Map(db.select({ id: clusters.id, name: clusters.name }).from(clusters).where(inArray(clusters.id, list)).all().map((c) => [c.id, c.name])),
    configurations: new Map(db.select({ id: configurations.id, name: configurations.name }).from(configurations).where(inArray(configurations.id, list)).all().map((c) => [c.id, c.name])),
  };
}
