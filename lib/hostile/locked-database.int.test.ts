import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";
import { holdWriteLock as holdLockOn, type WriteLock } from "@/test-support/write-lock";

// Hostile suite: another process (a backup tool, a second portal, someone's sqlite3 shell) holds
// the write lock on the real database file. /api/health must say so, and a background loop's
// write must wait off the event loop: better-sqlite3's busy_timeout waits ON the event loop,
// so a 5 s timeout in a loop's write froze every page for 5 s.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let holder: WriteLock | undefined;

beforeAll(async () => {
  temp = await useTempDatabase();
  process.env.FLEETLINE_SECRET_KEY = "44".repeat(32);
});

afterEach(() => {
  holder?.kill();
  holder = undefined;
});

async function holdWriteLock(): Promise<WriteLock> {
  holder = await holdLockOn(temp.file);
  return holder;
}

afterAll(() => temp?.cleanup());

describe("a database another process holds locked", () => {
  it("makes /api/health answer 503 with the database state, and ok again once released", async () => {
    const { GET } = await import("@/app/api/health/route");
    const lock = await holdWriteLock();
    const locked = await GET();
    expect(locked.status).toBe(503);
    expect(await locked.json()).toMatchObject({ status: "error", database: "locked" });
    await lock.release();
    const ok = await GET();
    expect([ok.status, await ok.json()]).toMatchObject([200, { status: "ok", database: "ok" }]);
  });

  it("a background loop's write waits off the event loop, and lands once the lock is gone", async () => {
    const { persistCluster } = await import("@/lib/status/persist");
    const lock = await holdWriteLock();
    const order: string[] = [];
    // A page request's share of the event loop: a timer due long before a 5 s busy wait ends.
    const page = new Promise<void>((resolve) => setTimeout(() => (order.push("page"), resolve()), 20));
    const write = Promise.resolve(persistCluster("cluster-a", [], new Map(), [])).then(() => order.push("write"));
    await page;
    expect(order).toEqual(["page"]);
    await lock.release();
    await write;
    expect(order).toEqual(["page", "write"]);
  });

  it("a notification dispatcher pass waits off the event loop, and claims its events once the lock is gone", async () => {
    const { insertEvents, healthChange } = await import("@/lib/notify/emit");
    const { dispatchOnce, dispatchSettings } = await import("@/lib/notify/dispatch");
    const { notificationEvents } = await import("@/db/schema-notifications");
    insertEvents(temp.db, [healthChange("cluster-a", "cluster.unreachable", "timeout", new Date(Date.now() - 60_000))]);
    const lock = await holdWriteLock();
    // A page request's share of the event loop: a timer due in 20 ms, and how late it ran.
    const scheduled = performance.now();
    const page = new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - scheduled - 20), 20));
    // Before: the claim waited on the connection's 5 s busy timeout ON the event loop, then failed
    // (SQLite; on PostgreSQL the claim's single UPDATE takes no writer lock and goes ahead).
    const pass = dispatchOnce({ ...dispatchSettings(), groupMs: 0 });
    expect(await page).toBeLessThan(1000);
    await lock.release();
    await pass;
    expect(temp.db.select({ state: notificationEvents.state }).from(notificationEvents).all()).toEqual([{ state: "done" }]);
  });
});
