import { describe, expect, it } from "vitest";
import { checkDuration, INTERVAL_BOUNDS, intervalSchema, parseDurationMs, TIMEOUT_BOUNDS, timeoutSchema } from "./duration";

describe("parseDurationMs", () => {
  it.each([
    ["10m", 600_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["1h0m0s", 3_600_000],
  ])("parses %s", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "10", "m", "10 m", "-5m", "1d", "5us", "1m30", "PT10M", "1".repeat(40) + "h"])("refuses %j", (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe("duration bounds", () => {
  it("accepts ordinary intervals and timeouts", () => {
    expect(intervalSchema.safeParse("10m").success).toBe(true);
    expect(intervalSchema.safeParse("1m30s").success).toBe(true);
    expect(timeoutSchema.safeParse("60s").success).toBe(true);
  });

  it("rejects zero, too short and absurd values with the bound named", () => {
    expect(checkDuration("0s", INTERVAL_BOUNDS)).toBe("must be longer than zero (Flux duration)");
    expect(checkDuration("0m0s", TIMEOUT_BOUNDS)).toBe("must be longer than zero (Flux duration)");
    expect(checkDuration("1ms", INTERVAL_BOUNDS)).toBe("must be at least 10s (duration lower bound)");
    expect(checkDuration("9999h", INTERVAL_BOUNDS)).toBe("must be at most 720h (duration upper bound)");
    expect(checkDuration("25h", TIMEOUT_BOUNDS)).toBe("must be at most 24h (duration upper bound)");
    expect(checkDuration("99999999999999999999h", INTERVAL_BOUNDS)).toBe("must be at most 720h (duration upper bound)");
  });

  it("names the format when the text is not a duration", () => {
    expect(checkDuration("ten minutes", INTERVAL_BOUNDS)).toBe(
      "must be a duration of numbers with units ms, s, m or h, such as 10m or 1m30s (Flux duration)",
    );
    expect(checkDuration("", INTERVAL_BOUNDS)).toBe("must not be empty (duration such as 10m or 1m30s)");
  });
});
