import crypto from "node:crypto";
import { eq } from "drizzle-orm";
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
    checks: ["pkce", "state"],
    profile: (p) => ({ id: String(p.sub), email: p.email ?? null, name: p.name ?? p.email ?? null }),
  };
}

/**
 * Finds or creates the portal user for an SSO login. New users get the role their groups map to
 * (viewer by default); existing users keep the role an admin gave them. Disabled users get null.
 */
export function upsertOidcUser(profile: Profile | undefined, e: Env): User | null {
  const claims: Record<string, unknown> = { ...profile };
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!email) return null;
  const db = getDb();
  const existing = db.select().from(users).where(eq(users.email, email)).get();
  if (existing) return existing.isDisabled ? null : existing;
  const role = roleForGroups(claims[e.FLEETLINE_OIDC_GROUPS_CLAIM], parseRoleMap(e.FLEETLINE_OIDC_ROLE_MAP));
  const now = new Date();
  const user = db
    .insert(users)
    .values({
      id: crypto.randomUUID(),
      email,
      name: typeof claims.name === "string" ? claims.name : email,
      role,
      authSource: "oidc",
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  recordAudit({ actor: { id: user.id, email, role }, action: "user.create", targetType: "user", targetId: email, outcome: "success", details: { source: "oidc", role } });
  return user;
}
