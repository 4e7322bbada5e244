// The semver subset GitRepository spec.ref.semver relies on.
import { describe, expect, it } from "vitest";
import { latestMatching, parseVersion, satisfies } from "./semver";

const tags = ["v0.9.0", "v1.0.0", "v1.2.3", "v1.10.0", "v2.0.0-rc.1", "v2.0.0", "v2.1.0", "not-a-version"];

describe("semver", () => {
  it.each([
    [">=1.0.0 <2.0.0", "v1.10.0"],
    ["1.x", "v1.10.0"],
    ["^1.2.0", "v1.10.0"],
    ["~1.2.0", "v1.2.3"],
    ["1.2.3", "v1.2.3"],
    ["*", "v2.1.0"],
    ["<1.0.0 || >=2.1.0", "v2.1.0"],
    [">=2.0.0-rc.0 <2.0.0", "v2.0.0-rc.1"],
    [">=3.0.0", undefined],
  ])("picks the latest tag for %s", (range, expected) => {
    expect(latestMatching(tags, range)).toBe(expected);
  });

  it("skips pre-releases unless the range names one", () => {
    const rc = parseVersion("2.0.0-rc.1");
    expect(rc).toBeDefined();
    if (!rc) return;
    expect(satisfies(rc, ">=1.0.0")).toBe(false);
    expect(satisfies(rc, ">=2.0.0-rc.0")).toBe(true);
  });

  it("rejects nonsense constraints", () => {
    expect(() => latestMatching(tags, "latest please")).toThrow(/invalid semver constraint/);
  });
});
