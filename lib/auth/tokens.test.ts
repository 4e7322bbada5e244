import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// API tokens on a real SQLite file (issue 16): shown once, stored hashed, never above the owner's
// role, and every way a token can be bad answered alike and counted.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let tokens: typeof import("./tokens");
let schema: typeof import("@/db/schema");
const operator = { id: "u-op", role: "operator" as const };

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  [tokens, schema] = await Promise.all([import("./tokens"), import("@/db/schema")]);
  const insert = temp.db.$client.prepare("insert into users (id, email, name, role, password_hash, created_at, updated_at) values (?, ?, ?, ?, 'x', 0, 0)");
  insert.run("u-op", "otto@example.com", "Otto", "operator");
  insert.run("u-admin", "ada@example.com", "Ada", "admin");
});
afterAll(() => temp?.cleanup());

const created = (input: Record<string, unknown>, owner: { id: string; role: "operator" | "admin" | "viewer" } = operator) => {
  const result = tokens.createToken(owner, input);
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return result;
};

describe("API tokens", () => {
  it("refuses bad input on the field, a role above the owner's, and a name used twice; writes nothing then", () => {
    expect(tokens.createToken(operator, { name: "", expiresInDays: "0", role: "root" })).toMatchObject({
      status: "invalid",
      fieldErrors: { name: expect.stringMatching(/^is required/), expiresInDays: expect.stringMatching(/1 to 365/), role: expect.stringMatching(/^must be one of/) },
    });
    expect(tokens.createToken(operator, { name: "ci", expiresInDays: "400" })).toMatchObject({ status: "invalid", fieldErrors: { expiresInDays: "must be at most 365 days" } });
    expect(tokens.createToken(operator, { name: "ci", expiresInDays: "30", role: "admin" })).toMatchObject({ status: "invalid", fieldErrors: { role: "cannot be higher than your own role (operator)" } });
    expect(temp.db.select().from(schema.apiTokens).all()).toEqual([]);
    created({ name: "ci", expiresInDays: "30" });
    expect(tokens.createToken(operator, { name: "ci", expiresInDays: "30" })).toMatchObject({ status: "invalid", fieldErrors: { name: "is already the name of one of your tokens" } });
  });

  it("is shown once and stored only as a hash; it acts with the lower of its role and its owner's current role", () => {
    const { token, row } = created({ name: "deploy", expiresInDays: "7", role: "viewer" });
    expect(token).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
    expect(row.tokenHash).toBe(tokens.hashToken(token));
    temp.db.$client.pragma("wal_checkpoint(TRUNCATE)");
    expect(temp.storedText().includes(row.tokenHash)).toBe(true);
    expect(temp.storedText().includes(token.slice(4))).toBe(false);
    expect(tokens.listTokens("u-op").map((t) => Object.keys(t))).not.toContainEqual(expect.arrayContaining(["tokenHash"]));
    const ok = tokens.verifyBearer(`Bearer ${token}`, "10.0.0.1");
    expect(ok).toMatchObject({ ok: true, caller: { role: "viewer", user: { email: "otto@example.com" }, token: { name: "deploy" } } });
    const full = created({ name: "full", expiresInDays: "7" });
    expect(tokens.verifyBearer(`Bearer ${full.token}`, "10.0.0.1")).toMatchObject({ ok: true, caller: { role: "operator" } });
    // Demoted: the token follows at once.
    temp.db.$client.prepare("update users set role = 'viewer' where id = 'u-op'").run();
    expect(tokens.verifyBearer(`Bearer ${full.token}`, "10.0.0.1")).toMatchObject({ ok: true, caller: { role: "viewer" } });
    temp.db.$client.prepare("update users set role = 'operator' where id = 'u-op'").run();
    expect(tokens.listTokens("u-op").find((t) => t.name === "deploy")?.lastUsedIp).toBe("10.0.0.1");
  });

  it("answers malformed, unknown, expired, revoked and disabled-owner tokens alike (401), and locks an address after 20 (429)", () => {
    const expiring = created({ name: "short", expiresInDays: "1" });
    const revoked = created({ name: "revoked", expiresInDays: "1" });
    expect(tokens.revokeToken(revoked.row.id, { id: "u-other", email: "x@example.com", role: "operator" })).toBeUndefined();
    expect(tokens.revokeToken(revoked.row.id, { id: "u-admin", email: "ada@example.com", role: "admin" })).toMatchObject({ revokedBy: "ada@example.com" });
    const ip = "10.9.9.9";
    const bad = [null, "Bearer nope", `Bearer flt_${"A".repeat(43)}`, `Bearer ${revoked.token}`, `Basic ${revoked.token}`];
    for (const header of bad) expect(tokens.verifyBearer(header, ip)).toMatchObject({ ok: false, status: 401 });
    // Two days on (another address: its window of counting starts then).
    expect(tokens.verifyBearer(`Bearer ${expiring.token}`, "10.8.8.8", Date.now() + 2 * 86_400_000)).toMatchObject({ ok: false, status: 401 });
    temp.db.$client.prepare("update users set is_disabled = 1 where id = 'u-op'").run();
    expect(tokens.verifyBearer(`Bearer ${expiring.token}`, ip)).toMatchObject({ ok: false, status: 401 });
    temp.db.$client.prepare("update users set is_disabled = 0 where id = 'u-op'").run();
    // Six bad so far from this address; fourteen more make twenty.
    for (let i = 0; i < 14; i++) expect(tokens.verifyBearer("Bearer guess", ip)).toMatchObject({ ok: false, status: 401 });
    // The 20th bad token locked the address: even a good one waits.
    expect(tokens.verifyBearer(`Bearer ${expiring.token}`, ip)).toMatchObject({ ok: false, status: 429, retryAfterS: expect.any(Number) });
    expect(tokens.verifyBearer(`Bearer ${expiring.token}`, "10.0.0.2")).toMatchObject({ ok: true });
  });
});
