import crypto from "node:crypto";
import { and, eq, isNull, ne } from "drizzle-orm";
import { getDb } from "@/db";
import { sessions, users, type User } from "@/db/schema";

const TOUCH_INTERVAL_MS = 60_000;

export function createSession(input: { userId: string; maxAgeS: number; ip?: string | null; userAgent?: string | null }) {
  const now = Date.now();
  const id = crypto.randomBytes(32).toString("base64url");
  getDb()
    .insert(sessions)
    .values({
      id,
      userId: input.userId,
      createdAt: new Date(now),
      expiresAt: new Date(now + input.maxAgeS * 1000),
      lastSeenAt: new Date(now),
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    })
    .run();
  return id;
}

/** The live user behind a session id, or null when the session expired, was revoked, or the user was disabled. */
export function resolveSession(sessionId: string): User | null {
  const db = getDb();
  const row = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .get();
  if (!row) return null;
  const now = Date.now();
  if (row.session.expiresAt.getTime() <= now || row.user.isDisabled) return null;
  if (now - row.session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    db.update(sessions).set({ lastSeenAt: new Date(now) }).where(eq(sessions.id, sessionId)).run();
  }
  return row.user;
}

export function revokeSession(sessionId: string, reason: string) {
  getDb()
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .run();
}

/** Ends every session of a user (password changed, user disabled), optionally sparing the caller's own. */
export function revokeUserSessions(userId: string, reason: string, exceptSessionId?: string): number {
  const scope = and(
    eq(sessions.userId, userId),
    isNull(sessions.revokedAt),
    exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined,
  );
  return getDb()
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(scope)
    .returning({ id: sessions.id })
    .all().length;
}
