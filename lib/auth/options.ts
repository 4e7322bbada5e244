import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { deriveKey } from "@/lib/crypto";
import { env } from "@/lib/env";
import { oidcProvider, resolveOidcUser, upsertOidcUser } from "./oidc";
import { authorizeCredentials } from "./login";
import { createSession, revokeSession } from "./sessions";

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
    // Secure (and __Secure-/__Host- prefixed) cookies exactly when the public URL is https.
    useSecureCookies: (e.NEXTAUTH_URL ?? "").startsWith("https://"),
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
          const outcome = resolveOidcUser(profile, e);
          const dbUser = "user" in outcome ? outcome.user : null;
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
