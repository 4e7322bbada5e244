import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("./store");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  store = await import("./store");
});
afterAll(() => temp?.cleanup());

const recurring = { name: "prod-weekend", kind: "deny", selector: "env=prod", schedule: "recurring", cron: "0 22 * * 5", durationMinutes: "3360", timeZone: "Europe/Berlin", reason: "no weekend changes" };

describe("maintenance windows", () => {
  it("stores a recurring window and a one-off range read in its time zone", () => {
    const weekly = store.createWindow(recurring, "admin@example.com");
    expect(weekly).toMatchObject({ status: "ok", window: { name: "prod-weekend", kind: "deny", selector: { matchLabels: { env: "prod" } }, cron: "0 22 * * 5", durationMinutes: 3360, timeZone: "Europe/Berlin", startsAt: null } });
    const once = store.createWindow({ name: "year-end", kind: "deny", selector: "env in (prod, staging)", schedule: "once", startsAt: "2099-12-24T00:00", endsAt: "2099-12-27T00:00", timeZone: "Europe/Berlin" }, "admin@example.com");
    expect(once).toMatchObject({ status: "ok", window: { startsAt: new Date("2099-12-23T23:00:00Z"), endsAt: new Date("2099-12-26T23:00:00Z"), cron: null } });
    expect(store.listWindows().map((w) => w.name)).toEqual(["prod-weekend", "year-end"]);
  });

  it("refuses bad input field by field and writes nothing", () => {
    const before = store.listWindows().length;
    expect(store.createWindow({ ...recurring, name: "Prod Weekend", cron: "0 22 * *", durationMinutes: "0", timeZone: "Mars/Olympus", selector: "env in (prod" }, "a")).toMatchObject({
      status: "invalid",
      fieldErrors: {
        name: expect.stringMatching(/lowercase/),
        cron: expect.stringMatching(/^must have five fields/),
        durationMinutes: "must be a whole number of minutes from 1 to 10080 (a week)",
        timeZone: expect.stringMatching(/^is not a time zone/),
        selector: expect.stringMatching(/parenthesis/),
      },
    });
    expect(store.createWindow({ ...recurring, name: "bad-cron", cron: "61 * * * *" }, "a")).toMatchObject({ status: "invalid", fieldErrors: { cron: expect.stringMatching(/^is not a valid cron expression/) } });
    expect(store.createWindow({ name: "past", kind: "deny", selector: "env=prod", schedule: "once", startsAt: "2020-01-01T00:00", endsAt: "2020-01-02T00:00" }, "a")).toMatchObject({ status: "invalid", fieldErrors: { endsAt: "is in the past: the window would never be open" } });
    expect(store.createWindow({ name: "backwards", kind: "deny", selector: "env=prod", schedule: "once", startsAt: "2099-01-02T00:00", endsAt: "2099-01-01T00:00" }, "a")).toMatchObject({ status: "invalid", fieldErrors: { endsAt: "must be after From" } });
    expect(store.createWindow({ name: "no-dates", kind: "allow", selector: "env=prod", schedule: "once", startsAt: "soon" }, "a")).toMatchObject({ status: "invalid", fieldErrors: { startsAt: "is not a date and time (YYYY-MM-DDTHH:MM)", endsAt: "is required for a one-off window" } });
    expect(store.createWindow(recurring, "a")).toMatchObject({ status: "invalid", fieldErrors: { name: "is already used by another window" } });
    expect(store.listWindows().length).toBe(before);
  });

  it("deletes a window", () => {
    const id = store.listWindows().find((w) => w.name === "year-end")!.id;
    expect(store.deleteWindow(id)?.name).toBe("year-end");
    expect(store.findWindow(id)).toBeUndefined();
  });
});
