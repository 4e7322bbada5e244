import { describe, expect, it } from "vitest";
import { nextOpening, openSpan, windowVerdict, type WindowRule } from "./evaluate";

const rule = (over: Partial<WindowRule>): WindowRule => ({
  name: "w",
  kind: "deny",
  selector: { matchLabels: { env: "prod" } },
  cron: null,
  durationMinutes: null,
  timeZone: "UTC",
  startsAt: null,
  endsAt: null,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe("openSpan", () => {
  // Fridays 22:00 in Berlin for 8 hours: 21:00 UTC in winter, 20:00 UTC in summer.
  const friday = rule({ cron: "0 22 * * 5", durationMinutes: 480, timeZone: "Europe/Berlin" });

  it("reads a recurring window in its time zone, daylight saving included", () => {
    expect(openSpan(friday, at("2026-12-04T20:59:00Z"))).toBeNull();
    expect(openSpan(friday, at("2026-12-04T21:00:00Z"))).toEqual({ start: at("2026-12-04T21:00:00Z"), end: at("2026-12-05T05:00:00Z") });
    expect(openSpan(friday, at("2026-12-05T04:59:59Z"))?.end).toEqual(at("2026-12-05T05:00:00Z"));
    expect(openSpan(friday, at("2026-12-05T05:00:00Z"))).toBeNull();
    expect(openSpan(friday, at("2026-07-03T20:30:00Z"))).toEqual({ start: at("2026-07-03T20:00:00Z"), end: at("2026-07-04T04:00:00Z") });
  });

  it("keeps a window open across occurrences that overlap (every hour, open for two)", () => {
    expect(openSpan(rule({ cron: "0 * * * *", durationMinutes: 120 }), at("2026-12-04T10:30:00Z"))).toEqual({ start: at("2026-12-04T10:00:00Z"), end: at("2026-12-04T12:00:00Z") });
  });

  it("reads a one-off range as [start, end)", () => {
    const once = rule({ startsAt: at("2026-12-24T00:00:00Z"), endsAt: at("2026-12-27T00:00:00Z") });
    expect(openSpan(once, at("2026-12-23T23:59:59Z"))).toBeNull();
    expect(openSpan(once, at("2026-12-24T00:00:00Z"))).not.toBeNull();
    expect(openSpan(once, at("2026-12-27T00:00:00Z"))).toBeNull();
    expect(nextOpening(once, at("2026-12-01T00:00:00Z"))).toEqual(at("2026-12-24T00:00:00Z"));
    expect(nextOpening(once, at("2026-12-25T00:00:00Z"))).toBeNull();
  });
});

describe("windowVerdict", () => {
  const freeze = rule({ name: "year-end-freeze", startsAt: at("2026-12-24T00:00:00Z"), endsAt: at("2026-12-27T00:00:00Z") });
  const nights = rule({ name: "prod-nights", kind: "allow", cron: "0 1 * * *", durationMinutes: 120 });
  const prod = { env: "prod" };

  it("an open deny window that matches holds the cluster until it ends; one that does not match, or is closed, does not", () => {
    expect(windowVerdict(prod, [freeze], at("2026-12-25T12:00:00Z"))).toEqual({ allowed: false, window: "year-end-freeze", kind: "deny", until: at("2026-12-27T00:00:00Z"), message: "held: deny window year-end-freeze is open until 2026-12-27 00:00 UTC" });
    expect(windowVerdict({ env: "dev" }, [freeze], at("2026-12-25T12:00:00Z"))).toEqual({ allowed: true });
    expect(windowVerdict(prod, [freeze], at("2026-12-28T12:00:00Z"))).toEqual({ allowed: true });
  });

  it("a cluster allow windows match takes pushes only while one is open, and says when the next opens", () => {
    expect(windowVerdict(prod, [nights], at("2026-12-02T01:30:00Z"))).toEqual({ allowed: true });
    expect(windowVerdict(prod, [nights], at("2026-12-02T09:00:00Z"))).toMatchObject({ allowed: false, kind: "allow", window: "prod-nights", until: at("2026-12-03T01:00:00Z"), message: "held: outside its allow windows until prod-nights opens at 2026-12-03 01:00 UTC" });
    expect(windowVerdict({ env: "dev" }, [nights], at("2026-12-02T09:00:00Z"))).toEqual({ allowed: true });
  });

  it("deny wins over an open allow window", () => {
    expect(windowVerdict(prod, [nights, rule({ ...freeze, startsAt: at("2026-12-02T00:00:00Z"), endsAt: at("2026-12-03T00:00:00Z") })], at("2026-12-02T01:30:00Z"))).toMatchObject({ allowed: false, kind: "deny", window: "year-end-freeze" });
  });
});
