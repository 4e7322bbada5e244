import { describe, expect, it } from "vitest";
import { STALE_AFTER_MS, staleness } from "./badges";

const now = Date.parse("2026-12-01T12:00:00Z");
const ago = (ms: number) => new Date(now - ms);

describe("staleness", () => {
  it("is nothing for a cluster that answered recently", () => {
    expect(staleness(ago(30_000), ago(1_000), now)).toBeNull();
  });

  it("marks a cluster offline for days stale, by the clock", () => {
    expect(staleness(ago(3 * 24 * 3600_000), ago(5_000), now)).toBe("stale");
  });

  it("marks stale even when nothing tried the cluster since (a stopped observation loop)", () => {
    const lastSeen = ago(STALE_AFTER_MS + 1_000);
    expect(staleness(lastSeen, lastSeen, now)).toBe("stale");
  });

  it("marks a cluster tried but never reached, and says nothing before the first try", () => {
    expect(staleness(null, ago(5_000), now)).toBe("never");
    expect(staleness(null, null, now)).toBeNull();
  });
});
