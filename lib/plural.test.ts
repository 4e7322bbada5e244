import { describe, expect, it } from "vitest";
import { plural } from "./plural";

describe("plural", () => {
  it("uses the singular for exactly one and the plural otherwise", () => {
    expect([plural(0, "configuration"), plural(1, "configuration"), plural(2, "configuration")]).toEqual(["0 configurations", "1 configuration", "2 configurations"]);
    expect(plural(1200, "cluster × configuration pair")).toBe("1,200 cluster × configuration pairs");
    expect(plural(3, "policy", "policies")).toBe("3 policies");
  });
});
