import { describe, expect, it } from "vitest";
import { addCount, compliantPercent, emptyCounts, formatPercent, stateOfRank } from "./states";
import { trendPoints, windowStart } from "./trend-math";

describe("summary math", () => {
  it("counts by state, with anything unexpected counted as Unknown rather than lost", () => {
    const counts = emptyCounts();
    addCount(counts, "Compliant", 997);
    addCount(counts, "Non-Compliant", 2);
    addCount(counts, "Bogus", 1);
    expect(counts).toEqual({ Compliant: 997, "Non-Compliant": 2, Pending: 0, Unknown: 1, Suspended: 0, total: 1000 });
  });

  it("rounds the share down, so only every single cell compliant shows 100%", () => {
    expect(compliantPercent({ Compliant: 999, total: 1000 })).toBe(99.9);
    expect(compliantPercent({ Compliant: 9999, total: 10000 })).toBe(99.9);
    expect(compliantPercent({ Compliant: 10, total: 10 })).toBe(100);
    expect(compliantPercent({ Compliant: 1, total: 3 })).toBe(33.3);
    expect(compliantPercent({ Compliant: 2, total: 3 })).toBe(66.6);
    expect(compliantPercent({ Compliant: 0, total: 0 })).toBeNull();
    expect([formatPercent(100), formatPercent(66.6), formatPercent(null)]).toEqual(["100%", "66.6%", "—"]);
  });

  it("maps SQL's severity ranks back to states", () => {
    expect([0, 1, 2, 3, 4].map(stateOfRank)).toEqual(["Non-Compliant", "Pending", "Unknown", "Suspended", "Compliant"]);
    expect(stateOfRank(99)).toBe("Unknown");
  });
});

describe("trend math", () => {
  const DAY = 86_400_000;
  it("walks back from today's count through each day's net change into Compliant", () => {
    const start = windowStart(Date.UTC(2030, 0, 10, 15), 5);
    expect(new Date(start).toISOString()).toBe("2030-01-06T00:00:00.000Z");
    // 4 of 10 compliant now; +3 during day 4, -1 during day 2, +2 during day 1.
    const points = trendPoints({ compliant: 4, total: 10 }, new Map([[4, 3], [2, -1], [1, 2]]), start, 5);
    expect(points).toEqual([
      { day: "2030-01-06", percent: 0 },
      { day: "2030-01-07", percent: 20 },
      { day: "2030-01-08", percent: 10 },
      { day: "2030-01-09", percent: 10 },
      { day: "2030-01-10", percent: 40 },
    ]);
    expect(start + 4 * DAY).toBe(Date.UTC(2030, 0, 10));
  });

  it("clamps a walk that overshoots (scope is today's) and has no value without scope", () => {
    expect(trendPoints({ compliant: 1, total: 2 }, new Map([[1, 5]]), 0, 2).map((p) => p.percent)).toEqual([0, 50]);
    expect(trendPoints({ compliant: 0, total: 0 }, new Map(), 0, 2).map((p) => p.percent)).toEqual([null, null]);
  });
});
