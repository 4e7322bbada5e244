import { describe, expect, it } from "vitest";
import { sourceIgnoreFilter, sourceIgnorePathsFor } from "./source-ignore";

describe("sourceIgnoreFilter", () => {
  it("applies Flux's default exclusions when the source sets no ignore", () => {
    const ignored = sourceIgnoreFilter(undefined, []);
    expect(["cloudbuild.yaml", "apps/.sops.yaml", ".github/workflows/ci.yaml", "apps/logo.png"].filter(ignored)).toHaveLength(4);
    expect(ignored("apps/web/deploy.yaml")).toBe(false);
  });

  it("spec.ignore replaces the defaults (VCS files stay out) and is anchored at the root", () => {
    const ignored = sourceIgnoreFilter("/apps/bomb.yaml\n*.tmp.yaml\n", []);
    expect(ignored("apps/bomb.yaml")).toBe(true);
    expect(ignored("other/apps/bomb.yaml")).toBe(false);
    expect(ignored("x/y.tmp.yaml")).toBe(true);
    expect(ignored("cloudbuild.yaml")).toBe(false);
    expect(ignored(".gitignore")).toBe(true);
  });

  it("a .sourceignore applies relative to its own folder, and only below it", () => {
    const ignored = sourceIgnoreFilter(undefined, [{ dir: "apps", content: "bomb.yaml\n/top.yaml\nsecret/\n" }]);
    expect(ignored("apps/bomb.yaml")).toBe(true);
    expect(ignored("apps/deep/bomb.yaml")).toBe(true);
    expect(ignored("apps/top.yaml")).toBe(true);
    expect(ignored("apps/deep/top.yaml")).toBe(false);
    expect(ignored("apps/secret/a.yaml")).toBe(true);
    expect(ignored("bomb.yaml")).toBe(false);
  });

  it("a deeper .sourceignore and spec.ignore can re-include with '!'", () => {
    const ignored = sourceIgnoreFilter("!/apps/keep/again.yaml\n", [
      { dir: "", content: "*.yaml\n" },
      { dir: "apps/keep", content: "!*.yaml\nagain.yaml\n" },
    ]);
    expect(ignored("apps/a.yaml")).toBe(true);
    expect(ignored("apps/keep/a.yaml")).toBe(false);
    expect(ignored("apps/keep/again.yaml")).toBe(false);
  });

  it("lists the .sourceignore files that can apply to a folder", () => {
    expect(sourceIgnorePathsFor("")).toEqual([".sourceignore"]);
    expect(sourceIgnorePathsFor("apps/web")).toEqual([".sourceignore", "apps/.sourceignore", "apps/web/.sourceignore"]);
  });
});
