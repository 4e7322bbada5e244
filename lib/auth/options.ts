import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { ANONYMOUS, recordAudit } from "@/lib/audit";
import { deriveKey } from "@/lib/crypto";
import { env } from "@/lib/env";
import { oidcProvider, upsertOidcUser } from "./oidc";
import { dummyPasswordHash, verifyPassword } from "./password";
import { ACCOUNT_RULE, ADDRESS_RULE, accountKey, addressKey, clearFailures, lockedFor, recordFailure } from "./rate-limit";
import { clientIp } from "./request";
import { createSession, revokeSession } from "./sessions";
import { findUserByEmail, touchLastLogin } from "./users";
import { plural } from "@/lib/words";

declare module "next-auth" {
  interface Session {
    sid?: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    sid?: string;
  }
}

const loginSchema = z.object({ email: z.string().trim().toLowerCase().min(1).max(254), password: z.string().min(1).max(200) });

export const LOGIN_ERRORS = {
  missing: "Enter your email and password.",
  wrong: "Wrong email or password.",
  disabled: "This account is disabled. Ask an administrator.",
} as const;

async function authorizeCredentials(raw: unknown, headers: Record<string, string | string[] | undefined>) {
  const parsed = loginSchema.safeParse(raw);
  if (!parsed.success) throw new Error(LOGIN_ERRORS.missing);
  const { email, password } = parsed.data;
  const ip = clientIp(headers);
  const actor = { ...ANONYMOUS, email, ip };
  const waitMs = lockedFor([accountKey(email), addressKey(ip)]);
  if (waitMs > 0) {
    recordAudit({ actor, action: "auth.login", targetType: "user", targetId: email, outcome: "denied", details: { reason: "rate limited" } });
    throw new Error(`Too many failed attempts. Try again in ${plural(Math.ceil(waitMs / 60_000), "minute")}.`);
  }
  const user = findUserByEmail(email);
  const valid = user?.passwordHash
    ? await verifyPassword(password, user.passwordHash)
    : (await verifyPassword(password, await dummyPasswordHash())) && false;
  if (!user || !valid) {
    recordFailure([
      { key: accountKey(email), rule: ACCOUNT_RULE },
      { key: addressKey(ip), rule: ADDRESS_RULE },
    ]);
    recordAudit({ actor, action: "auth.login", targetType: "user", targetId: email, outcome: "failed", details: { reason: "wrong email or password" } });
    throw new Error(LOGIN_ERRORS.wrong);
  }
  if (user.isDisabled) {
    recordAudit({ actor, action: "auth.login", targetType: "user", targetId: email, outcome: "denied", details: { reason: "user disabled" } });
    throw new Error(LOGIN_ERRORS.disabled);
  }
  clearFailures(accountKey(email));
  touchLastLogin(user.id);
  const sid = createSession({ userId: user.id, maxAgeS: env().FLEETLINE_SESSION_MAX_AGE_S, ip, userAgent: String(headers["user-agent"] ?? "") });
  recordAudit({ actor: { id: user.id, email: user.email, role: user.role, ip }, action: "auth.login", targetType: "user", targetId: user.email, outcome: "success" });
  return { id: user.id, email: user.email, name: user.name, sid };
}

let cached: NextAuthOptions | undefined;

/** Built on first use, not at import, so `next build` never needs the runtime secrets. */
export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  const e = env();
  const maxAge = e.FLEETLINE_SESSION_MAX_AGE_S;
  const oidc = oidcProvider(e);
  cached = {
    secret: e.NEXTAUTH_SECRET ?? deriveKey("nextauth").toString("base64"),
    session: { strategy: "jwt", maxAge },
    jwt: { maxAge },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorizeCredentials(credentials, req.headers ?? {}),
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        return upsertOidcUser(profile, e) !== null;
      },
      async jwt({ token, user, account, profile }) {
        if (user && "sid" in user && typeof user.sid === "string") token.sid = user.sid;
        if (account?.provider === "oidc") {
          const dbUser = upsertOidcUser(profile, e);
          if (dbUser) token.sid = createSession({ userId: dbUser.id, maxAgeS: maxAge });
        }
        return token;
      },
      async session({ session, token }) {
        session.sid = token.sid;
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (token?.sid) revokeSession(token.sid, "signed out");
      },
    },
  };
  return cached;
}
