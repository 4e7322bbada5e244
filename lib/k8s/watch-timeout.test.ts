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

  it("are drawn between thirty minutes and sixty over HTTP/2, whose PING finds a dead connection", () => {
    expect(watchTimeoutSeconds(() => 0, true)).toBe(1800);
    expect(watchTimeoutSeconds(() => 0.999, true)).toBe(3598);
    const drawn = Array.from({ length: 200 }, () => watchTimeoutSeconds(Math.random, true));
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(1800);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(3600);
    expect(new Set(drawn).size).toBeGreaterThan(100);
  });
});
