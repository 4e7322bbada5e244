import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;
beforeAll(async () => {
  temp = await useTempDatabase();
});
afterAll(() => temp.cleanup());

type Row = { ip: string; details: string; at: number };
const rows = (action: string) => temp.db.$client.prepare("select ip, details, at from audit_log where action = ? order by id").all(action) as Row[];

describe("anonymous refusals", () => {
  it("N refusals from one address in one minute make one row that counts them all", async () => {
    const { recordAnonymousRefusal, flushAnonymousRefusals } = await import("./anonymous-refusals");
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 5);
    for (let i = 0; i < 120; i++) recordAnonymousRefusal({ ip: "192.0.2.7", action: "dashboard.read", targetType: "dashboard", details: { reason: "not signed in" } }, t0 + i * 100);
    for (let i = 0; i < 3; i++) recordAnonymousRefusal({ ip: "192.0.2.8", action: "dashboard.read", targetType: "dashboard", details: { reason: "not signed in" } }, t0 + i);
    // The first refusal is visible at once.
    expect(rows("dashboard.read")).toHaveLength(2);
    flushAnonymousRefusals(t0 + 60_000);
    const [first, second] = rows("dashboard.read");
    expect(first?.ip).toBe("192.0.2.7");
    expect(JSON.parse(first!.details)).toMatchObject({ count: 120, reason: "not signed in" });
    expect(JSON.parse(second!.details)).toMatchObject({ count: 3 });
    // The next minute gets a row of its own.
    recordAnonymousRefusal({ ip: "192.0.2.7", action: "dashboard.read", targetType: "dashboard", details: {} }, t0 + 61_000);
    expect(rows("dashboard.read")).toHaveLength(3);
  });

});
