import { getHeapStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { collectGarbage } from "@/test-support/gc";
import { MIN_GAP_MS, shouldTrim, trimHeap } from "./heap-trim";

const MiB = 1024 * 1024;

describe("shouldTrim", () => {
  const slack = { total: 150 * MiB, used: 100 * MiB };
  it("compacts a quiet heap with a third of it unused, once in the gap", () => {
    expect(shouldTrim(slack, 0.05, undefined, 0)).toBe(true);
    expect(shouldTrim(slack, 0.05, 0, MIN_GAP_MS - 1)).toBe(false);
    expect(shouldTrim(slack, 0.05, 0, MIN_GAP_MS)).toBe(true);
  });
  it("leaves a busy event loop, a small slack, or a slack small for the heap alone", () => {
    expect(shouldTrim(slack, 0.5, undefined, 0)).toBe(false);
    expect(shouldTrim({ total: 40 * MiB, used: 20 * MiB }, 0, undefined, 0)).toBe(false);
    expect(shouldTrim({ total: 440 * MiB, used: 400 * MiB }, 0, undefined, 0)).toBe(false);
  });
});

describe("trimHeap", () => {
  it("returns the pages a burst left behind that an ordinary full collection keeps", async () => {
    // A burst: many small objects, then three in five kept, spread over every page the burst filled.
    let burst = Array.from({ length: 1_000_000 }, (_, i) => ({ i, name: `object-${i}` }));
    burst = burst.filter((_, i) => i % 5 < 3);
    // Ordinary full collections until they give nothing more back.
    let kept = Infinity;
    while (getHeapStatistics().total_heap_size < kept) {
      kept = getHeapStatistics().total_heap_size;
      await collectGarbage();
    }
    kept = getHeapStatistics().total_heap_size;
    const { before, after } = trimHeap();
    expect(burst).toHaveLength(600_000);
    expect(before.total).toBe(kept);
    // What is in use stays; the pages around it go back.
    expect(after.used).toBeLessThanOrEqual(before.used + MiB);
    expect(before.total - after.total).toBeGreaterThan(20 * MiB);
  });
});
