import "server-only";
import crypto from "node:crypto";
import { and, desc, eq, getTableColumns, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { apiTokens, ROLES, users, type Role, type User } from "@/db/schema";
import { fieldErrors } from "@/lib/actions/result";
import { invalidResult } from "@/lib/configurations/validate";
import { ADDRESS_RULE, lockedFor, recordFailure, type ThrottleRule } from "./rate-limit";

// Personal API tokens (issue 16): `flt_` and 32 random bytes (base64url), shown once, stored as
// a SHA-256 hash. A token acts with the lower of its own role and its owner's current role, so
// demoting or disabling a person reaches their tokens at once.

export const TOKEN_PREFIX = "flt_";
export const MAX_TOKEN_DAYS = 365;
const TOKEN_PATTERN = /^flt_[A-Za-z0-9_-]{43}$/;
// A bad token counts against its address, as a failed login does (a separate key: a script's
// bad token does not lock its users out of signing in).
export const TOKEN_RULE: ThrottleRule = ADDRESS_RULE;
export const tokenAddressKey = (ip: string) => `token-ip:${ip}`;
// Writing the last use on every call would make each API read a write: once a minute is enough to list.
const LAST_USE_EVERY_MS = 60_000;

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const lowerRole = (a: Role, b: Role): Role => (RANK[a] <= RANK[b] ? a : b);

export const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

const tokenInputSchema = z.object({
  name: z.string().trim().min(1, "is required: what the token is for, e.g. deploy-pipeline").max(64, "must be at most 64 characters"),
  expiresInDays: z.coerce.number({ error: `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}` }).int(`must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`).min(1, `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`).max(MAX_TOKEN_DAYS, `must be at most ${MAX_TOKEN_DAYS} days`),
  // An empty choice is the owner's own role.
  role: z.preprocess((v) => (v === "" ? undefined : v), z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }).optional()),
});

export type ApiToken = typeof apiTokens.$inferSelect;
export type CreatedToken = { status: "ok"; token: string; row: ApiToken } | ReturnType<typeof invalidResult>;

/** A new token for this user: their role or a narrower one; the plain token is returned once. */
export function createToken(owner: Pick<User, "id" | "role">, input: unknown, now = new Date()): CreatedToken {
  const parsed = tokenInputSchema.safeParse(input);
  if (!parsed.success) return invalidResult(fieldErrors(parsed.error));
  const role = parsed.data.role ?? owner.role;
  const errors: Record<string, string> = {};
  if (RANK[role] > RANK[owner.role]) errors.role = `cannot be higher than your own role (${owner.role})`;
  const db = getDb();
  if (db.select({ id: apiTokens.id }).from(apiTokens).where(and(eq(apiTokens.userId, owner.id), eq(apiTokens.name, parsed.data.name))).get()) errors.name = "is already the name of one of your tokens";
  if (Object.keys(errors).length > 0) return invalidResult(errors);
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = db
    .insert(apiTokens)
    .values({ id: crypto.randomUUID(), userId: owner.id, name: parsed.data.name, role, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdAt: now, expiresAt: new Date(now.getTime() + parsed.data.expiresInDays * 86_400_000) })
    .returning()
    .get();
  return { status: "ok", token, row };
}

export type TokenListing = Omit<ApiToken, "tokenHash"> & { ownerEmail: string };

/** A user's tokens, or (for admins: `all`) everyone's; newest first, never the hash. */
export function listTokens(userId: string | "all"): TokenListing[] {
  const { tokenHash, ...columns } = getTableColumns(apiTokens);
  void tokenHash; // never selected
  const query = getDb().select({ ...columns, ownerEmail: users.email }).from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId));
  return (userId === "all" ? query : query.where(eq(apiTokens.userId, userId))).orderBy(desc(apiTokens.createdAt)).all();
}

/** Revokes a token of this user (any token, for an admin); undefined when there is none to revoke. */
export function revokeToken(id: string, by: Pick<User, "id" | "email" | "role">, now = new Date()): ApiToken | undefined {
  const owned = by.role === "admin" ? eq(apiTokens.id, id) : and(eq(apiTokens.id, id), eq(apiTokens.userId, by.id));
  return getDb().update(apiTokens).set({ revokedAt: now, revokedBy: by.email }).where(and(owned, isNull(apiTokens.revokedAt))).returning().get();
}

export type TokenCaller = { user: User; token: ApiToken; role: Role };
export type BearerOutcome = { ok: true; caller: TokenCaller } | { ok: false; status: 401 | 429; message: string; retryAfterS?: number };

/**
 * Checks an `Authorization: Bearer` header. Malformed, unknown, expired or revoked tokens and
 * disabled owners are all 401 with one message (nothing tells them apart), and count against the
 * caller's address; a locked address gets 429 before any lookup.
 */
export function verifyBearer(header: string | null, ip: string, now = Date.now()): BearerOutcome {
  const key = tokenAddressKey(ip);
  const wait = lockedFor([key], now);
  if (wait > 0) return { ok: false, status: 429, message: "too many bad tokens from this address", retryAfterS: Math.ceil(wait / 1000) };
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
  const fail = (): BearerOutcome => {
    recordFailure([{ key, rule: TOKEN_RULE }], now);
    return { ok: false, status: 401, message: "a valid API token is required (Authorization: Bearer flt_…)" };
  };
  if (!TOKEN_PATTERN.test(token)) return fail();
  const db = getDb();
  const row = db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token))).get();
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now) return fail();
  const user = db.select().from(users).where(eq(users.id, row.userId)).get();
  if (!user || user.isDisabled) return fail();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USE_EVERY_MS || row.lastUsedIp !== ip) {
    db.update(apiTokens).set({ lastUsedAt: new Date(now), lastUsedIp: ip }).where(eq(apiTokens.id, row.id)).run();
  }
  return { ok: true, caller: { user, token: row, role: lowerRole(row.role, user.role) } };
}
