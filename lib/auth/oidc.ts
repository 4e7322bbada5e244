import crypto from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Profile } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { getDb } from "@/db";
import { users, type User } from "@/db/schema";
import type { Env } from "@/lib/env";
import { recordAudit } from "@/lib/audit";
import { parseRoleMap, roleForGroups } from "./oidc-roles";

type OidcProfile = Profile & { sub?: string; email?: string; name?: string; [claim: string]: unknown };

/** An OpenID Connect provider configured only from the environment; none when unset. */
export function oidcProvider(e: Env): OAuthConfig<OidcProfile> | null {
  if (!e.FLEETLINE_OIDC_ISSUER || !e.FLEETLINE_OIDC_CLIENT_ID || !e.FLEETLINE_OIDC_CLIENT_SECRET) return null;
  return {
    id: "oidc",
    name: e.FLEETLINE_OIDC_NAME,
    type: "oauth",
    wellKnown: `${e.FLEETLINE_OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: e.FLEETLINE_OIDC_CLIENT_ID,
    clientSecret: e.FLEETLINE_OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile groups" } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    profile: (p) => ({ id: String(p.sub), email: p.email ?? null, name: p.name ?? p.email ?? null }),
  };
}

const list = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export type OidcOutcome = { user: User } | { refused: string };

/**
 * The portal user for an SSO login, keyed by the ID token's issuer and `sub`: the email is only a
 * label. An identity is refused when its email is missing or unverified, when it is outside the
 * allowed domains or groups, or when its user is disabled. A new identity becomes a new user with
 * the role its groups map to (viewer by default), even when a local account has the same email:
 * linking by email would let anyone who can set that email at the IdP become that account.
 */
export function resolveOidcUser(profile: Profile | undefined, e: Env): OidcOutcome {
  const claims: Record<string, unknown> = { ...profile };
  const issuer = typeof claims.iss === "string" && claims.iss ? claims.iss : (e.FLEETLINE_OIDC_ISSUER ?? "");
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!issuer || !subject) return { refused: "the identity provider sent no issuer or subject" };
  if (!email) return { refused: "the identity provider sent no email" };
  if (claims.email_verified !== true && claims.email_verified !== "true") return { refused: "the email is not verified by the identity provider" };
  const domains = list(e.FLEETLINE_OIDC_ALLOWED_DOMAINS).map((d) => d.toLowerCase().replace(/^@/, ""));
  if (domains.length && !domains.includes(email.slice(email.lastIndexOf("@") + 1))) {
    return { refused: `the email domain is not in FLEETLINE_OIDC_ALLOWED_DOMAINS` };
  }
  const raw = claims[e.FLEETLINE_OIDC_GROUPS_CLAIM];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
  const allowedGroups = list(e.FLEETLINE_OIDC_ALLOWED_GROUPS);
  if (allowedGroups.length && !groups.some((g) => allowedGroups.includes(g))) {
    return { refused: "none of the user's groups is in FLEETLINE_OIDC_ALLOWED_GROUPS" };
  }

  const db = getDb();
  const existing =
    db.select().from(users).where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject))).get() ??
    // Rows made by SSO before identities were keyed by issuer + sub: claimed once by their email,
    // and only by an SSO login (never a local account's row).
    adoptLegacyOidcRow(email, issuer, subject);
  if (existing) return existing.isDisabled ? { refused: "the user is disabled" } : { user: existing };

  const role = roleForGroups(groups, parseRoleMap(e.FLEETLINE_OIDC_ROLE_MAP));
  const now = new Date();
  const user = db
    .insert(users)
    .values({
      id: crypto.randomUUID(),
      email,
      name: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim().slice(0, 100) : email,
      role,
      authSource: "oidc",
      oidcIssuer: issuer,
      oidcSubject: subject,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  recordAudit({ actor: { id: user.id, email, role }, action: "user.create", targetType: "user", targetId: email, outcome: "success", details: { source: "oidc", issuer, role } });
  return { user };
}

function adoptLegacyOidcRow(email: string, issuer: string, subject: string): User | undefined {
  const db = getDb();
  const legacy = db
    .select()
    .from(users)
    .where(and(eq(users.email, email), eq(users.authSource, "oidc"), isNull(users.oidcSubject)))
    .get();
  if (!legacy) return undefined;
  db.update(users).set({ oidcIssuer: issuer, oidcSubject: subject, updatedAt: new Date() }).where(eq(users.id, legacy.id)).run();
  return { ...legacy, oidcIssuer: issuer, oidcSubject: subject };
}

/** Audits a refused SSO login (with the reason) and returns null; the user sees the login page's message. */
export function upsertOidcUser(profile: Profile | undefined, e: Env): User | null {
  const outcome = resolveOidcUser(profile, e);
  if ("user" in outcome) return outcome.user;
  const claims: Record<string, unknown> = { ...profile };
  const email = typeof claims.email === "string" ? claims.email.slice(0, 254) : "unknown";
  recordAudit({
    actor: { id: null, email, role: null },
    action: "auth.login",
    targetType: "user",
    targetId: email,
    outcome: "denied",
    details: { source: "oidc", reason: outcome.refused },
  });
  return null;
}
