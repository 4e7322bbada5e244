import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { jsonInteger, jsonSet } from "@/db/sql-dialect";
import { auditLog } from "@/db/schema";
import { redact } from "@/lib/security/redact";

/**
 * Refusals of requests that carry no session, aggregated: one audit row per (address, action,
 * minute) holding a `count`. Anyone can send such requests (and a dashboard left open after its
 * session expired used to poll every 5 s), so a row each would let the internet grow the database
 * at will. The first refusal of a minute is written at once, so the log shows it immediately; the
 * rest of that minute only bump a counter in memory, folded into the row once per minute.
 * A crash loses at most one minute of counts, never the row.
 */
export type AnonymousRefusal = {
  ip: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  /** Who was claimed, e.g. the email typed at a locked login; "anonymous" when nobody. */
  email?: string;
  details: Record<string, unknown>;
};

type Slot = { rowId: number; minute: number; pending: number };
type State = { slots: Map<string, Slot>; timer: NodeJS.Timeout | null };

// Shared through globalThis: route handlers and server actions may load separate copies of this module.
const state = ((globalThis as unknown as { fleetlineAnonRefusals?: State }).fleetlineAnonRefusals ??= { slots: new Map(), timer: null });

// Bounds memory when addresses are many: past this, counters are written out and forgotten early.
const MAX_SLOTS = 5_000;

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

export function recordAnonymousRefusal(r: AnonymousRefusal, now = Date.now()) {
  const minute = minuteOf(now);
  const key = `${r.ip}\u0000${r.action}\u0000${r.targetType}\u0000${r.targetId ?? ""}\u0000${r.email ?? ""}\u0000${minute}`;
  const slot = state.slots.get(key);
  if (slot) {
    slot.pending++;
    scheduleFlush(now);
    return;
  }
  if (state.slots.size >= MAX_SLOTS) flushAnonymousRefusals(Number.MAX_SAFE_INTEGER);
  const row = getDb()
    .insert(auditLog)
    .values({
      at: new Date(now),
      actorId: null,
      actorEmail: r.email ?? "anonymous",
      actorRole: null,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId ?? null,
      outcome: "denied",
      details: JSON.stringify(redact({ ...r.details, count: 1, aggregated: "per address and minute" })),
      ip: r.ip,
    })
    .returning({ id: auditLog.id })
    .get();
  state.slots.set(key, { rowId: row.id, minute, pending: 0 });
}

/** Folds pending counts into their rows and forgets the minutes before `now`'s. */
export function flushAnonymousRefusals(now = Date.now()) {
  const current = minuteOf(now);
  const db = getDb();
  const due = [...state.slots.entries()].filter(([, s]) => s.pending > 0 || s.minute < current);
  if (due.length === 0) return;
  db.transaction((tx) => {
    for (const [key, s] of due) {
      if (s.pending > 0) {
        tx.update(auditLog)
          .set({ details: jsonSet(auditLog.details, ["count"], sql`coalesce(${jsonInteger(auditLog.details, "count")}, 1) + ${s.pending}`) })
          .where(eq(auditLog.id, s.rowId))
          .run();
        s.pending = 0;
      }
      if (s.minute < current) state.slots.delete(key);
    }
  });
}

function scheduleFlush(now: number) {
  if (state.timer) return;
  const untilNextMinute = 60_000 - (now % 60_000) + 50;
  state.timer = setTimeout(() => {
    state.timer = null;
    try {
      flushAnonymousRefusals();
    } finally {
      if (state.slots.size > 0 && [...state.slots.values()].some((s) => s.pending > 0)) scheduleFlush(Date.now());
    }
  }, untilNextMinute);
  state.timer.unref();
}
