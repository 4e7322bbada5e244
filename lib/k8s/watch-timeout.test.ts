import { describe, expect, it } from "vitest";
import { watchTimeoutSeconds } from "./client";

describe("watch timeouts", () => {
  it("are drawn per watch between five and ten minutes, as client-go's reflectors draw them", () => {
    expect(watchTimeoutSeconds(() => 0)).toBe(300);
    expect(watchTimeoutSeconds(() => 0.5)).toBe(450);
    expect(watchTimeoutSeconds(() => 0.999)).toBe(600);
    const drawn = Array.from({ length: 200 }, () => watchTimeoutSeconds());
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(600);
    // Watches started together end apart: far more than a handful of distinct ends.
    expect(new Set(drawn).size).toBeGreaterThan(100);
  });
});
