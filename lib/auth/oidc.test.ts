import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { useTempDatabase } from "@/test-support/temp-db";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;
beforeAll(async () => {
  temp = await useTempDatabase();
});
afterAll(() => temp.cleanup());

const ISSUER = "https://idp.example.test";
const base = { FLEETLINE_OIDC_ISSUER: ISSUER, FLEETLINE_OIDC_CLIENT_ID: "fleetline", FLEETLINE_OIDC_CLIENT_SECRET: "s3cret", FLEETLINE_OIDC_ROLE_MAP: "platform-admins=admin" };
const claims = (over: Record<string, unknown>) => ({ iss: ISSUER, sub: "sub-1", email: "sam@example.com", email_verified: true, name: "Sam", groups: [], ...over });

describe("single sign-on identities", () => {
  it("never links an IdP identity to a local account with the same email", async () => {
    const { createUser } = await import("./users");
    const { resolveOidcUser } = await import("./oidc");
    const local = await createUser({ email: "boss@example.com", name: "Boss", password: "local-admin-pass-1", role: "admin" });
    const outcome = resolveOidcUser(claims({ sub: "attacker", email: "boss@example.com" }), parseEnv(base));
    expect("user" in outcome && outcome.user.id).not.toBe(local.id);
    expect("user" in outcome && outcome.user.role).toBe("viewer");
  });

  it("keys users by issuer and sub: a changed email is the same user, another sub is another", async () => {
    const { resolveOidcUser } = await import("./oidc");
    const e = parseEnv(base);
    const first = resolveOidcUser(claims({ sub: "stable", email: "old@example.com" }), e);
    const renamed = resolveOidcUser(claims({ sub: "stable", email: "new@example.com" }), e);
    const other = resolveOidcUser(claims({ sub: "someone-else", email: "old@example.com" }), e);
    if (!("user" in first) || !("user" in renamed) || !("user" in other)) throw new Error("refused");
    expect(renamed.user.id).toBe(first.user.id);
    expect(other.user.id).not.toBe(first.user.id);
    const otherIssuer = resolveOidcUser(claims({ iss: "https://other.example.test", sub: "stable" }), e);
    expect("user" in otherIssuer && otherIssuer.user.id).not.toBe(first.user.id);
  });

  it("refuses unverified or missing emails", async () => {
    const { resolveOidcUser } = await import("./oidc");
    const e = parseEnv(base);
    expect(resolveOidcUser(claims({ sub: "u1", email_verified: false }), e)).toEqual({ refused: "the email is not verified by the identity provider" });
    expect(resolveOidcUser(claims({ sub: "u2", email_verified: undefined }), e)).toHaveProperty("refused");
    expect(resolveOidcUser(claims({ sub: "u3", email: undefined }), e)).toHaveProperty("refused");
  });

  it("applies the allowed groups and domains, and maps groups to roles", async () => {
    const { resolveOidcUser } = await import("./oidc");
    const e = parseEnv({ ...base, FLEETLINE_OIDC_ALLOWED_GROUPS: "platform-admins,readers", FLEETLINE_OIDC_ALLOWED_DOMAINS: "example.com" });
    expect(resolveOidcUser(claims({ sub: "g1", groups: ["contractors"] }), e)).toHaveProperty("refused");
    expect(resolveOidcUser(claims({ sub: "g2", groups: ["readers"], email: "x@evil.test" }), e)).toHaveProperty("refused");
    const admin = resolveOidcUser(claims({ sub: "g3", groups: ["platform-admins"] }), e);
    expect("user" in admin && admin.user.role).toBe("admin");
    const reader = resolveOidcUser(claims({ sub: "g4", groups: ["readers"] }), e);
    expect("user" in reader && reader.user.role).toBe("viewer");
  });

  it("refuses a disabled SSO user", async () => {
    const { resolveOidcUser } = await import("./oidc");
    const { setUserDisabled } = await import("./users");
    const e = parseEnv(base);
    const made = resolveOidcUser(claims({ sub: "to-disable" }), e);
    if (!("user" in made)) throw new Error("refused");
    setUserDisabled(made.user.id, true);
    expect(resolveOidcUser(claims({ sub: "to-disable" }), e)).toEqual({ refused: "the user is disabled" });
  });
});
