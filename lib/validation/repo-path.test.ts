import { describe, expect, it } from "vitest";
import { normalizeRepoPath } from "./repo-path";

describe("normalizeRepoPath", () => {
  it.each([
    ["", "./"],
    ["./", "./"],
    [".", "./"],
    ["apps", "./apps"],
    ["./apps/prod", "./apps/prod"],
    ["apps//prod/", "./apps/prod"],
    ["./apps/./prod", "./apps/prod"],
    ["clusters/my cluster", "./clusters/my cluster"],
    ["a...b/c", "./a...b/c"],
  ])("normalises %j to %j", (raw, path) => {
    expect(normalizeRepoPath(raw)).toEqual({ ok: true, path });
  });

  // Hardening case 5.
  it.each([
    ["../secrets", "must not contain '..' segments"],
    ["apps/../../etc", "must not contain '..' segments"],
    ["./apps/..", "must not contain '..' segments"],
    ["/etc/passwd", "must be relative to the repository root, not absolute (no leading '/')"],
    ["//server/share", "must be relative to the repository root, not absolute (no leading '/')"],
    ["C:/Windows", "must be relative to the repository root, not a drive path"],
    ["~/repo", "must be relative to the repository root (no '~')"],
    ["%2e%2e/etc", "must not contain percent-encoding ('%')"],
    ["%252e%252e/etc", "must not contain percent-encoding ('%')"],
    ["apps/%2F..", "must not contain percent-encoding ('%')"],
    ["..\\..\\etc", "must use '/' as separator, not backslashes"],
    ["apps\u0000/x", "must not contain NUL characters"],
    ["apps\n/x", "must not contain control characters"],
    ["apps/\u202ex", "must not contain control characters"],
    ["apps/ x", "path segments must not start or end with spaces"],
    ["a".repeat(1025), "must be at most 1024 characters"],
  ])("rejects %j", (raw, error) => {
    expect(normalizeRepoPath(raw)).toEqual({ ok: false, error });
  });
});
