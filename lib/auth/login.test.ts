import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Real SQLite file and real scrypt: what these tests count is what an attacker would get.
// Real scrypt, dozens of times: generous on a loaded two-core machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
const token = crypto.randomBytes(12).toString("hex");
beforeAll(async () => {
  temp = await useTempDatabase();
  // What scripts/server.mjs does in production: a per-process token vouches for the socket address.
  (globalThis as Record<symbol, unknown>)[Symbol.for("fleetline.peer-token")] = token;
});
afterAll(() => temp.cleanup());

const fromSocket = (ip: string, extra: Record<string, string> = {}) => ({ "x-fleetline-peer": `${token} ${ip}`, ...extra });

async function outcomes(promises: Promise<unknown>[]) {
  const settled = await Promise.allSettled(promises);
  return settled.map((s) => (s.status === "fulfilled" ? "ok" : String((s.reason as Error).message)));
}

function auditCount(where: string, ...params: unknown[]): number {
  return (temp.db.$client.prepare(`select count(*) as n from audit_log where ${where}`).get(...params) as { n: number }).n;
}

describe("credentials login under load", () => {
  it("processes at most five failures for one account when 20 wrong passwords arrive at once", async () => {
    const { createUser } = await import("./users");
    const { authorizeCredentials } = await import("./login");
    await createUser({ email: "target@example.com", name: "Target", password: "the-right-password-1", role: "viewer" });
    const results = await outcomes(
      Array.from({ length: 20 }, (_, i) => authorizeCredentials({ email: "target@example.com", password: `guess-${i}` }, fromSocket(`198.51.100.${i + 1}`))),
    );
    expect(results.filter((r) => r === "Wrong email or password.")).toHaveLength(5);
    expect(results.filter((r) => r.startsWith("Too many failed attempts"))).toHaveLength(15);
    expect(auditCount("action = 'auth.login' and outcome = 'failed' and target_id = ?", "target@example.com")).toBe(5);
  });

  it("keys the address on the socket: a rotating X-Forwarded-For does not open new buckets", async () => {
    const { authorizeCredentials } = await import("./login");
    const results: string[] = [];
    for (let i = 0; i < 25; i++) {
      // A different unknown account each time, so only the address bucket can stop it.
      const attempt = authorizeCredentials(
        { email: `nobody-${i}@example.com`, password: "whatever-guess" },
        fromSocket("203.0.113.50", { "x-forwarded-for": `10.9.${i}.1` }),
      );
      results.push(...(await outcomes([attempt])));
    }
    expect(results.slice(0, 20).every((r) => r === "Wrong email or password.")).toBe(true);
    expect(results.slice(20).every((r) => r.startsWith("Too many failed attempts"))).toBe(true);
    expect(auditCount("outcome = 'failed' and ip like '10.9.%'")).toBe(0);
  });

  it("does not believe a peer header without this process's token", async () => {
    const { clientIp } = await import("./request");
    expect(clientIp({ "x-fleetline-peer": "forged 192.0.2.1", "x-forwarded-for": "192.0.2.2" })).toBe("unknown");
    expect(clientIp(fromSocket("::ffff:192.0.2.3"))).toBe("192.0.2.3");
  });
});

describe("password hashing", () => {
  it("never runs more than the cap of scrypt hashes at once", async () => {
    const { hashPassword, hashingStats } = await import("./password");
    const before = hashingStats().peak;
    await Promise.all(Array.from({ length: 6 }, (_, i) => hashPassword(`password-number-${i}`)));
    expect(before).toBeLessThanOrEqual(hashingStats().cap);
    expect(hashingStats().peak).toBe(hashingStats().cap);
  });

  it("setup does not hash once an administrator exists", async () => {
    const { hashingStats } = await import("./password");
    const { createFirstAdmin } = await import("./users");
    const started = hashingStats().started;
    expect(await createFirstAdmin({ email: "late@example.com", name: "Late", password: "another-password-1" })).toBeNull();
    expect(hashingStats().started).toBe(started);
  });
});
