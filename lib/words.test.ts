import { describe, expect, it } from "vitest";
import { plural, reconcilerName, revisionDriftText, versionWords } from "./words";

describe("plural", () => {
  it("uses the singular for exactly one and the plural otherwise", () => {
    expect([plural(0, "configuration"), plural(1, "configuration"), plural(2, "configuration")]).toEqual(["0 configurations", "1 configuration", "2 configurations"]);
    expect(plural(1200, "cluster × configuration pair")).toBe("1,200 cluster × configuration pairs");
    expect(plural(3, "policy", "policies")).toBe("3 policies");
  });

  it("names reconcilers as products, not enum values", () => {
    expect([reconcilerName("argocd"), reconcilerName("flux")]).toEqual(["Argo CD", "Flux"]);
  });

  it("says a configuration's version once", () => {
    expect([versionWords(1, 1), versionWords(3, 2), versionWords(1, null)]).toEqual(["v1 · pushed", "v3 · v2 pushed", "v1 · not pushed"]);
  });

  it("says diverged, not behind, when the applied commit is off the tracked ref", () => {
    expect(revisionDriftText({ behindBy: 1, aheadBy: 1 })).toBe("Diverged (1 ahead, 1 behind)");
    expect(revisionDriftText({ behindBy: 3, aheadBy: 0 })).toBe("Behind by 3");
    expect(revisionDriftText({ behindBy: 0, aheadBy: 0 })).toBeNull();
    expect(revisionDriftText({ behindBy: null, aheadBy: null })).toBeNull();
  });
});
