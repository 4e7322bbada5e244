import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "./concurrency";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("mapWithConcurrency", () => {
  it("never runs more than `limit` at once and keeps input order", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : null))).toEqual([50, 10, 40, 20, 30, 0, 60]);
  });

  it("settles every item when some fail, synchronously or not", async () => {
    const boom = new Error("cluster b is down");
    const results = await mapWithConcurrency(["a", "b", "c", "d"], 2, (item) => {
      if (item === "b") return Promise.reject(boom);
      if (item === "c") throw new Error("sync failure");
      return Promise.resolve(item.toUpperCase());
    });
    expect(results).toEqual([
      { status: "fulfilled", value: "A" },
      { status: "rejected", reason: boom },
      { status: "rejected", reason: new Error("sync failure") },
      { status: "fulfilled", value: "D" },
    ]);
  });

  it("handles no items and limits above the item count", async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
    expect(await mapWithConcurrency([1], 100, async (n) => n)).toEqual([{ status: "fulfilled", value: 1 }]);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses limit %s", async (limit) => {
    await expect(mapWithConcurrency([1], limit, async (n) => n)).rejects.toThrow(RangeError);
  });
});
