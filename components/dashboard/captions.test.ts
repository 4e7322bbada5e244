import { describe, expect, it } from "vitest";
import { stateShareCaption } from "./captions";

describe("dashboard captions", () => {
  it("formats a state's share the way /compliance does (rounded down, one decimal), with the plural right", () => {
    expect(stateShareCaption(2, 3)).toBe("66.6% of 3 cluster × configuration pairs");
    expect(stateShareCaption(1, 1)).toBe("100% of 1 cluster × configuration pair");
    expect(stateShareCaption(0, 0)).toBe("— of 0 cluster × configuration pairs");
  });
});
