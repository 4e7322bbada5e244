import { describe, expect, it } from "vitest";
import { countsAsResourceDrift, resourceDriftCount } from "./definition";

describe("the one definition of resource drift", () => {
  it("counts Flux objects changed outside Git and every resource Argo CD reports OutOfSync", () => {
    const edited = { foreignChanges: [{ manager: "kubectl-label" }] };
    const missing = { foreignChanges: [] };
    expect(countsAsResourceDrift(edited, "dry-run")).toBe(true);
    expect(countsAsResourceDrift(missing, "field-managers")).toBe(false);
    expect(countsAsResourceDrift(missing, "argocd")).toBe(true);
    expect(resourceDriftCount([{ method: "dry-run", objects: [edited, missing] }, { method: "argocd", objects: [missing] }])).toBe(2);
  });
});
