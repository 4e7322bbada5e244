import { describe, expect, it } from "vitest";
import { commitUrl, shaOf, shortRevision } from "./commit-links";

const SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

describe("commit links", () => {
  it("links GitHub and GitLab commits", () => {
    expect(commitUrl("https://github.com/acme/fleet.git", SHA)).toBe(`https://github.com/acme/fleet/commit/${SHA}`);
    expect(commitUrl("ssh://git@gitlab.com/acme/platform/fleet.git", SHA)).toBe(`https://gitlab.com/acme/platform/fleet/-/commit/${SHA}`);
  });
  it("does not guess for unknown hosts or odd input", () => {
    expect(commitUrl("https://git.internal/acme/fleet.git", SHA)).toBeNull();
    expect(commitUrl("https://github.com/acme/fleet.git", "javascript:alert(1)")).toBeNull();
    expect(commitUrl("not a url", SHA)).toBeNull();
  });
  it("finds the sha in a Flux revision", () => {
    expect(shaOf(`main@sha1:${SHA}`)).toBe(SHA);
    expect(shaOf("v1.0.0@sha256:abc")).toBeNull();
  });
  it("shortens revisions the way the UI shows them", () => {
    expect(shortRevision(`main@sha1:${SHA}`)).toBe("main@1a2b3c4");
    expect(shortRevision(`sha256:${"f".repeat(64)}`)).toBe("ffffffffffff");
  });
});
