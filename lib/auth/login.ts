import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { env } from "@/lib/env";
import { plural } from "@/lib/words";
import { recordAnonymousRefusal } from "./anonymous-refusals";
import { HashingBusyError, dummyPasswordHash, verifyPassword } from "./password";
import { ACCOUNT_RULE, ADDRESS_RULE, accountKey, addressKey, clearFailures, releaseAttempt, reserveAttempt } from "./rate-limit";
import { clientIp } from "./request";
import { createSession } from "./sessions";
import { findUserByEmail, touchLastLogin } from "./users";

const loginSchema = z.object({ email: z.string().trim().toLowerCase().min(1).max(254), password: z.string().min(1).max(200) });

export const LOGIN_ERRORS = {
  missing: "Enter your email and password.",
  wrong: "Wrong email or password.",
  disabled: "This account is disabled. Ask an administrator.",
} as const;

type Headers = Record<string, string | string[] | undefined>;

/**
 * next-auth's credentials check. The attempt is reserved on the account and on the socket's
 * address before any password is hashed (so parallel guesses cannot all pass one check), every
 * hash waits for a slot under a global cap, and an unknown email costs one dummy verification
 * like a known one, so neither timing nor the lock tells whether an account exists.
 */
export async function authorizeCredentials(raw: unknown, headers: Headers) {
  const parsed = loginSchema.safeParse(raw);
  if (!parsed.success) throw new Error(LOGIN_ERRORS.missing);
  const { email, password } = parsed.data;
  const ip = clientIp(headers);
  const actor = { id: null, email, role: null, ip };
  const keys = [
    { key: accountKey(email), rule: ACCOUNT_RULE },
    { key: addressKey(ip), rule: ADDRESS_RULE },
  ];
  const waitMs = reserveAttempt(keys);
  if (waitMs > 0) {
    recordAnonymousRefusal({ ip, email, action: "auth.login", targetType: "user", targetId: email, details: { reason: "rate limited" } });
    throw new Error(`Too many failed attempts. Try again in ${plural(Math.ceil(waitMs / 60_000), "minute")}.`);
  }
  const user = findUserByEmail(email);
  let valid: boolean;
  try {
    valid = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await dummyPasswordHash())) && false;
  } catch (e) {
    // Never checked: the attempt is given back, so a busy server does not lock anyone out.
    releaseAttempt(keys);
    if (e instanceof HashingBusyError) throw new Error(e.message);
    throw e;
  }
  if (!user || !valid) {
    recordAudit({ actor, action: "auth.login", targetType: "user", targetId: email, outcome: "failed", details: { reason: "wrong email or password" } });
    throw new Error(LOGIN_ERRORS.wrong);
  }
  releaseAttempt(keys);
  if (user.isDisabled) {
    recordAudit({ actor, action: "auth.login", targetType: "user", targetId: email, outcome: "denied", details: { reason: "user disabled" } });
    throw new Error(LOGIN_ERRORS.disabled);
  }
  clearFailures(accountKey(email)); // a correct password forgives the account's earlier failures
  touchLastLogin(user.id);
  const sid = createSession({ userId: user.id, maxAgeS: env().FLEETLINE_SESSION_MAX_AGE_S, ip, userAgent: String(headers["user-agent"] ?? "") });
  recordAudit({ actor: { id: user.id, email: user.email, role: user.role, ip }, action: "auth.login", targetType: "user", targetId: user.email, outcome: "success" });
  return { id: user.id, email: user.email, name: user.name, sid };
}
