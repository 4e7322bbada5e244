import { describe, expect, it } from "vitest";
import { compareVersions, isBehind, newestOf, semverOf, type VersionPoint } from "./order";

const p = (version: string, firstSeenAt = 0): VersionPoint => ({ version, firstSeenAt });

describe("compareVersions", () => {
  it("orders semantic versions as semver does, not as text", () => {
    expect(compareVersions(p("6.10.0"), p("6.9.1"))).toBeGreaterThan(0);
    expect(compareVersions(p("6.5.0"), p("6.6.0"))).toBeLessThan(0);
    expect(compareVersions(p("v1.2.3"), p("1.10.0"))).toBeLessThan(0);
    expect(compareVersions(p("2.0.0-rc.1"), p("2.0.0"))).toBeLessThan(0);
    expect(compareVersions(p("1.0.0"), p("1.0.0"))).toBe(0);
  });

  it("orders non-semver tags and digests by first-seen time, whatever their names", () => {
    expect(compareVersions(p("main-zzz", 100), p("main-aaa", 200))).toBeLessThan(0);
    expect(compareVersions(p("sha256:ff", 300), p("sha256:00", 200))).toBeGreaterThan(0);
    // A semantic version beside a non-semver tag: time decides.
    expect(compareVersions(p("9.9.9", 100), p("latest", 200))).toBeLessThan(0);
  });

  it("is total: equal times fall back to the text", () => {
    expect(compareVersions(p("a", 5), p("b", 5))).toBeLessThan(0);
    expect(compareVersions(p("b", 5), p("a", 5))).toBeGreaterThan(0);
  });

  it("knows what is a semantic version", () => {
    expect(semverOf("v6.5.0")).toBe("6.5.0");
    expect(semverOf("6.5")).toBeNull();
    expect(semverOf("latest")).toBeNull();
  });
});

describe("newest and behind", () => {
  it("finds the newest and marks the others behind", () => {
    const points = [p("6.5.0", 1), p("6.6.0", 0), p("6.5.1", 2)];
    const newest = newestOf(points);
    expect(newest?.version).toBe("6.6.0");
    expect(points.filter((x) => isBehind(x, newest)).map((x) => x.version)).toEqual(["6.5.0", "6.5.1"]);
    expect(isBehind(p("6.6.0"), newest)).toBe(false);
    expect(newestOf([])).toBeUndefined();
    expect(isBehind(p("1"), undefined)).toBe(false);
  });
});
