import "server-only";
import { and, asc, count, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { sessions, users } from "@/db/schema";

export { countUsers } from "@/lib/auth/users";

/** Users with their number of live sessions; never the password hash. */
export function listUsers() {
  const db = getDb();
  const live = db
    .select({ userId: sessions.userId, n: count().as("n") })
    .from(sessions)
    .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
    .groupBy(sessions.userId)
    .as("live");
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      authSource: users.authSource,
      isDisabled: users.isDisabled,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
      liveSessions: live.n,
    })
    .from(users)
    .leftJoin(live, eq(live.userId, users.id))
    .orderBy(asc(users.email))
    .all();
}

export type UserRow = ReturnType<typeof listUsers>[number];
