import crypto from "node:crypto";
import { and, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { ROLES, users, type Role, type User } from "@/db/schema";
import { PASSWORD_MIN_LENGTH, hashPassword } from "./password";
import { revokeUserSessions } from "./sessions";
import { isUniqueViolation } from "@/db/errors";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be a valid email address"));

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(200, "must be at most 200 characters");

export const newUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, "is required").max(100, "must be at most 100 characters"),
  password: passwordSchema,
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
});

export type NewUserInput = z.infer<typeof newUserSchema>;

export class DuplicateEmailError extends Error {
  constructor() {
    super("a user with this email already exists");
  }
}

export function countUsers(): number {
  return getDb().select({ n: count() }).from(users).get()?.n ?? 0;
}

/** The password account with this email; single-sign-on users never sign in with a password. */
export function findUserByEmail(email: string): User | undefined {
  return getDb()
    .select()
    .from(users)
    .where(and(eq(users.email, email.trim().toLowerCase()), eq(users.authSource, "local")))
    .get();
}

export function findUserById(id: string): User | undefined {
  return getDb().select().from(users).where(eq(users.id, id)).get();
}

export async function createUser(input: NewUserInput & { authSource?: "local" }): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  try {
    return getDb()
      .insert(users)
      .values({
        id: crypto.randomUUID(),
        email: input.email,
        name: input.name,
        passwordHash,
        role: input.role,
        authSource: "local",
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
  } catch (e) {
    if (isUniqueViolation(e, "users", "email")) throw new DuplicateEmailError();
    throw e;
  }
}

/**
 * Creates the first admin only while no user exists. Checked before hashing (the setup action is
 * open to anyone, and a hash is the expensive part) and again in the insert's write transaction,
 * so two concurrent setup requests cannot both succeed.
 */
export async function createFirstAdmin(input: Omit<NewUserInput, "role">): Promise<User | null> {
  if (countUsers() > 0) return null;
  const passwordHash = await hashPassword(input.password);
  const db = getDb();
  return db.transaction(
    (tx) => {
      const existing = tx.select({ n: count() }).from(users).get()?.n ?? 0;
      if (existing > 0) return null;
      const now = new Date();
      return tx
        .insert(users)
        .values({
          id: crypto.randomUUID(),
          email: input.email,
          name: input.name,
          passwordHash,
          role: "admin",
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
    },
    { behavior: "immediate" },
  );
}

export function setUserRole(userId: string, role: Role) {
  getDb().update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId)).run();
}

export function setUserDisabled(userId: string, isDisabled: boolean) {
  getDb().update(users).set({ isDisabled, updatedAt: new Date() }).where(eq(users.id, userId)).run();
  if (isDisabled) revokeUserSessions(userId, "user disabled");
}

export async function setUserPassword(userId: string, password: string, keepSessionId?: string) {
  const passwordHash = await hashPassword(password);
  getDb().update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId)).run();
  revokeUserSessions(userId, "password changed", keepSessionId);
}

export function countActiveAdmins(): number {
  return (
    getDb()
      .select({ n: count() })
      .from(users)
      .where(sql`${users.role} = 'admin' and ${users.isDisabled} = 0`)
      .get()?.n ?? 0
  );
}

export function touchLastLogin(userId: string) {
  getDb().update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, userId)).run();
}
