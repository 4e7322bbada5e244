import { describe, expect, it } from "vitest";
import {
  checkBucketName,
  checkChartName,
  checkCommitSha,
  checkGitRefName,
  checkHelmReleaseName,
  checkOciDigest,
  checkOciTag,
} from "./refs";
import { checkSemverRange } from "./semver-range";

describe("checkGitRefName", () => {
  it.each(["main", "release/v1.2", "feature/ABC-12_x", "v1.0.0"])("accepts %s", (ref) => {
    expect(checkGitRefName(ref)).toBeUndefined();
  });

  it.each([
    ["", "must not be empty"],
    ["--upload-pack=x", "must not start with '-'"],
    ["a..b", "must not contain '..' (git ref name)"],
    ["a b", "must not contain spaces, control characters or any of ~ ^ : ? * [ \\ (git ref name)"],
    ["a:b", "must not contain spaces, control characters or any of ~ ^ : ? * [ \\ (git ref name)"],
    ["HEAD@{1}", "must not contain '@{' or be '@' (git ref name)"],
    ["refs/heads/main", "must be a short name, without the refs/heads/ or refs/tags/ prefix"],
    ["/main", "must not start or end with '/' or contain '//' (git ref name)"],
    ["a//b", "must not start or end with '/' or contain '//' (git ref name)"],
    ["main.", "must not end with '.' (git ref name)"],
    ["a/.hidden", "no '/'-separated part may start with '.' (git ref name)"],
    ["main.lock", "no '/'-separated part may end with '.lock' (git ref name)"],
    ["fonctionnalité", "must contain only ASCII characters"],
  ])("rejects %j", (ref, message) => {
    expect(checkGitRefName(ref)).toBe(message);
  });
});

describe("commit, OCI tag and digest", () => {
  it("checks a full lowercase SHA-1", () => {
    expect(checkCommitSha("1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d")).toBeUndefined();
    expect(checkCommitSha("1a2b3c4")).toBe("must be a full 40-character lowercase hexadecimal commit SHA");
    expect(checkCommitSha("1A2B3C4D5E6F7A8B9C0D1A2B3C4D5E6F7A8B9C0D")).toBe("must be a full 40-character lowercase hexadecimal commit SHA");
  });

  it("checks OCI tags and digests", () => {
    expect(checkOciTag("6.6.2")).toBeUndefined();
    expect(checkOciTag("latest")).toBeUndefined();
    expect(checkOciTag(".hidden")).toBe("must be 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (OCI tag)");
    expect(checkOciDigest(`sha256:${"a".repeat(64)}`)).toBeUndefined();
    expect(checkOciDigest(`sha256:${"a".repeat(63)}`)).toBe("must be sha256: followed by 64 lowercase hexadecimal characters");
    expect(checkOciDigest(`sha512:${"a".repeat(64)}`)).toBe("must be sha256: followed by 64 lowercase hexadecimal characters");
  });
});

describe("checkSemverRange", () => {
  it.each([
    "*",
    "1.2.3",
    "v1.2.3",
    "^1.2",
    "~1.2.3",
    "~>1.2",
    ">=1.0.0 <2.0.0",
    ">= 1.0, < 2.0",
    "1.2.x",
    "1.x",
    "1.0 - 2.0",
    "^1.0 || ^2.0",
    ">=6.1.x-0",
    "!=1.2.3",
    "1.0.0-rc.1+build.5",
  ])("accepts %s", (range) => {
    expect(checkSemverRange(range)).toBeUndefined();
  });

  it.each(["", "latest", ">=", "1.2.3.4", "^1.2 ||", "1.0 -", "abc", ">>1.0", "1.2.3abc", "x".repeat(300)])("rejects %j", (range) => {
    expect(checkSemverRange(range)).toBeDefined();
  });
});

describe("names of charts, releases and buckets", () => {
  it("checks chart names", () => {
    expect(checkChartName("podinfo")).toBeUndefined();
    expect(checkChartName("./charts/podinfo")).toBe("must be a chart name, not a path, when the source is a HelmRepository");
    expect(checkChartName("-x")).toBe("must start with a letter or digit and contain only letters, digits, '.', '_' and '-' (chart name)");
  });

  it("checks Helm release names against Helm's 53-character limit", () => {
    expect(checkHelmReleaseName("podinfo")).toBeUndefined();
    expect(checkHelmReleaseName("r".repeat(54))).toBe("must be at most 53 characters, got 54 (Helm release name)");
    expect(checkHelmReleaseName("Podinfo")).toBe(
      "must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (Helm release name)",
    );
  });

  it.each([
    ["ab", "must be 3-63 characters (S3 bucket name)"],
    ["My-Bucket", "must be lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (S3 bucket name)"],
    ["a..b", "must not contain '..' (S3 bucket name)"],
    ["192.168.5.4", "must not look like an IP address (S3 bucket name)"],
    ["xn--bucket", "must not use a prefix or suffix S3 reserves (S3 bucket name)"],
    ["bucket-s3alias", "must not use a prefix or suffix S3 reserves (S3 bucket name)"],
  ])("rejects bucket name %j", (name, message) => {
    expect(checkBucketName(name)).toBe(message);
  });

  it("accepts a conventional bucket name", () => {
    expect(checkBucketName("fleet-manifests.prod")).toBeUndefined();
  });
});
