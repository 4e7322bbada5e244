import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Real SQLite file: the throttle and session rules are only as good as what the database keeps.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
beforeAll(async () => {
  temp = await useTempDatabase();
});
afterAll(() => temp.cleanup());

describe("login throttle", () => {
  it("locks an account after five failures and keeps the lock across a restart", async () => {
    const { ACCOUNT_RULE, accountKey, lockedFor, recordFailure, clearFailures } = await import("./rate-limit");
    const key = accountKey("Someone@Example.com");
    const now = Date.now();
    for (let i = 0; i < 4; i++) recordFailure([{ key, rule: ACCOUNT_RULE }], now);
    expect(lockedFor([key], now)).toBe(0);
    recordFailure([{ key, rule: ACCOUNT_RULE }], now);
    expect(lockedFor([key], now)).toBe(ACCOUNT_RULE.lockMs);

    // Simulate a restart: close the connection and open the same file again.
    const g = globalThis as unknown as { fleetlineDb?: { $client: { close(): void } } };
    g.fleetlineDb?.$client.close();
    g.fleetlineDb = undefined;
    expect(lockedFor([key], now + 1000)).toBe(ACCOUNT_RULE.lockMs - 1000);
    expect(lockedFor([key], now + ACCOUNT_RULE.lockMs + 1)).toBe(0);

    clearFailures(key);
    expect(lockedFor([key], now)).toBe(0);
  });

  it("starts a new window once the old one has passed", async () => {
    const { ADDRESS_RULE, addressKey, lockedFor, recordFailure } = await import("./rate-limit");
    const key = addressKey("203.0.113.9");
    const t0 = Date.now();
    for (let i = 0; i < ADDRESS_RULE.maxFailures - 1; i++) recordFailure([{ key, rule: ADDRESS_RULE }], t0);
    recordFailure([{ key, rule: ADDRESS_RULE }], t0 + ADDRESS_RULE.windowMs + 1);
    expect(lockedFor([key], t0 + ADDRESS_RULE.windowMs + 2)).toBe(0);
  });
});

describe("users and sessions", () => {
  it("creates the first admin only once", async () => {
    const { createFirstAdmin, countUsers } = await import("./users");
    const first = await createFirstAdmin({ email: "first@example.com", name: "First", password: "first-password-123" });
    expect(first?.role).toBe("admin");
    const second = await createFirstAdmin({ email: "second@example.com", name: "Second", password: "second-password-123" });
    expect(second).toBeNull();
    expect(countUsers()).toBe(1);
  });

  it("ends sessions on password change (sparing the caller's) and on disable", async () => {
    const { createUser, setUserDisabled, setUserPassword } = await import("./users");
    const { createSession, resolveSession } = await import("./sessions");
    const user = await createUser({ email: "op@example.com", name: "Op", password: "operator-password-1", role: "operator" });
    const a = createSession({ userId: user.id, maxAgeS: 3600 });
    const b = createSession({ userId: user.id, maxAgeS: 3600 });
    expect(resolveSession(a)?.email).toBe("op@example.com");

    await setUserPassword(user.id, "operator-password-2", b);
    expect(resolveSession(a)).toBeNull();
    expect(resolveSession(b)?.id).toBe(user.id);

    setUserDisabled(user.id, true);
    expect(resolveSession(b)).toBeNull();
  });

  it("treats an expired session as absent", async () => {
    const { createUser } = await import("./users");
    const { createSession, resolveSession } = await import("./sessions");
    const { getDb } = await import("@/db");
    const { sessions } = await import("@/db/schema");
    const { eq } = await import("drizzle-orm");
    const user = await createUser({ email: "v@example.com", name: "V", password: "viewer-password-1", role: "viewer" });
    const sid = createSession({ userId: user.id, maxAgeS: 3600 });
    getDb().update(sessions).set({ expiresAt: new Date(Date.now() - 1) }).where(eq(sessions.id, sid)).run();
    expect(resolveSession(sid)).toBeNull();
  });

  it("stores only a scrypt hash, never the password", async () => {
    const { findUserByEmail } = await import("./users");
    const stored = findUserByEmail("op@example.com");
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(temp.storedText()).not.toContain("operator-password-2");
  });
});

describe("audit", () => {
  it("redacts secrets in details before writing", async () => {
    const { recordAudit } = await import("@/lib/audit");
    const { getDb } = await import("@/db");
    const { auditLog } = await import("@/db/schema");
    recordAudit({
      actor: { id: null, email: "system", role: null },
      action: "credential.create",
      targetType: "credential",
      outcome: "success",
      details: { password: "canary-audit-123", url: "https://u:canary-audit-456@git.example.com/r.git" },
    });
    const row = getDb().select().from(auditLog).all().at(-1)!;
    expect(row.details).not.toContain("canary-audit");
    expect(JSON.parse(row.details).url).toBe("https://[redacted]@git.example.com/r.git");
  });
});
