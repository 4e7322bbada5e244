import { describe, expect, it } from "vitest";
import { cpuTicksFromStat, percentile, rssKibFromStatus, sampleSync } from "./bench-proc";

describe("bench helpers", () => {
  it("percentile takes the nearest rank", () => {
    const samples = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(10);
    expect(percentile(samples, 95)).toBe(19);
    expect(percentile(samples, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });

  it("sampleSync times each run after the untimed warm-up calls, ascending", () => {
    let calls = 0;
    const samples = sampleSync(4, () => {
      calls++;
      const until = performance.now() + (calls % 2) * 3;
      while (performance.now() < until);
    }, 2);
    expect(calls).toBe(6);
    expect(samples).toHaveLength(4);
    expect([...samples].sort((a, b) => a - b)).toEqual(samples);
    expect(samples[3]).toBeGreaterThanOrEqual(3);
    expect(samples[0]).toBeLessThan(3);
  });

  it("reads utime + stime after a command name holding spaces and parentheses", () => {
    const stat = "4242 (node (bench) x) S 1 4242 4242 0 -1 4194304 5000 0 0 0 1234 567 0 0 20 0 11 0 900 1000000 20000 18446744073709551615";
    expect(cpuTicksFromStat(stat)).toBe(1234 + 567);
    expect(() => cpuTicksFromStat("4242 (node) S 1")).toThrow(/format/);
  });

  it("reads VmRSS in KiB", () => {
    expect(rssKibFromStatus("Name:\tnode\nVmHWM:\t  300000 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n")).toBe(123456);
    expect(() => rssKibFromStatus("Name:\tnode\n")).toThrow(/VmRSS/);
  });
});
