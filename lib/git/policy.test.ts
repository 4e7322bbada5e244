import { describe, expect, it } from "vitest";
import { GitError, gitFailure, scrub } from "./errors";
import { checkRemoteUrl, checkSha, refSpecFor, repoPathspec, shaOfRevision } from "./policy";

function refusal(fn: () => unknown): GitError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GitError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("checkRemoteUrl", () => {
  it.each([
    ["ext::sh%20-c%20touch%20/tmp/pwned", /remote-helper/],
    ["ext::sh -c touch /tmp/pwned", /whitespace/],
    ["fd::17", /remote-helper/],
    ["file:///etc", /scheme 'file' is not allowed/],
    ["git://github.com/acme/fleet", /scheme 'git' is not allowed/],
    ["-uhttps://example.com/repo", /must not start with '-'/],
    ["--upload-pack=touch%20/tmp/x", /must not start with '-'/],
    ["/srv/git/repo.git", /must start with/],
    ["git@github.com:acme/fleet.git", /scp-style/],
    ["https://user:secret@github.com/acme/fleet", /must not embed a password/],
    ["https://token@github.com/acme/fleet", /must not embed a user name/],
    ["ftp://example.com/repo", /scheme 'ftp' is not allowed/],
    ["https://127.0.0.1/repo.git", /loopback/],
    ["http://169.254.169.254/latest", /link-local/],
  ])("refuses %s", (url, message) => {
    const error = refusal(() => checkRemoteUrl(url));
    expect(error.kind).toBe("invalid");
    expect(error.message).toMatch(message);
    // The refusal never repeats the credential part of the URL.
    expect(error.message).not.toContain("secret");
  });

  it("accepts http(s) and ssh remotes, and loopback only when local sources are allowed", () => {
    expect(() => checkRemoteUrl("https://github.com/acme/fleet")).not.toThrow();
    expect(() => checkRemoteUrl("ssh://git@github.com/acme/fleet.git")).not.toThrow();
    expect(() => checkRemoteUrl("http://127.0.0.1:8080/fleet.git", { allowLocalSources: true })).not.toThrow();
  });
});

describe("refs, shas and paths", () => {
  it("qualifies branches and tags, passes commits, refuses what git would misread", () => {
    expect(refSpecFor({ type: "branch", value: "main" })).toBe("refs/heads/main");
    expect(refSpecFor({ type: "tag", value: "v1.0.0" })).toBe("refs/tags/v1.0.0");
    expect(refSpecFor({ type: "commit", value: "a".repeat(40) })).toBe("a".repeat(40));
    expect(refusal(() => refSpecFor({ type: "branch", value: "--output=/tmp/x" })).message).toMatch(/must not start with '-'/);
    expect(refusal(() => refSpecFor({ type: "branch", value: "main..HEAD" })).kind).toBe("invalid");
    expect(refusal(() => refSpecFor({ type: "semver", value: ">=1.0.0" })).kind).toBe("invalid");
    expect(refusal(() => checkSha("HEAD~1")).kind).toBe("invalid");
  });

  it("turns Kustomization paths into pathspecs and refuses escapes", () => {
    expect(repoPathspec("./apps/podinfo")).toBe("apps/podinfo");
    expect(repoPathspec("./")).toBe("");
    expect(repoPathspec("infrastructure/")).toBe("infrastructure");
    expect(refusal(() => repoPathspec("../etc")).kind).toBe("invalid");
    expect(refusal(() => repoPathspec("%2e%2e/x")).kind).toBe("invalid");
  });

  it("reads the sha out of Flux revisions", () => {
    const sha = "1a2b".repeat(10);
    expect(shaOfRevision(`main@sha1:${sha}`)).toBe(sha);
    expect(shaOfRevision(`sha1:${sha}`)).toBe(sha);
    expect(shaOfRevision(`main/${sha}`)).toBe(sha);
    expect(shaOfRevision("v1.0.0@sha256:abcd")).toBeUndefined();
    expect(shaOfRevision(null)).toBeUndefined();
  });
});

describe("git failures", () => {
  it("classifies git's stderr and keeps credentials out of the message", () => {
    const auth = gitFailure("fatal: Authentication failed for 'http://127.0.0.1:1234/private.git/'", ["hunter2-token"]);
    expect(auth).toMatchObject({ kind: "auth", message: "authentication failed: check the source's credential" });
    expect(gitFailure("remote: Repository not found.\nfatal: repository 'https://x/y.git/' not found", []).kind).toBe("not-found");
    expect(gitFailure("fatal: couldn't find remote ref refs/heads/nope", []).message).toBe("reference not found: couldn't find remote ref refs/heads/nope");
    expect(gitFailure("fatal: unable to access 'https://x/': Could not resolve host: x", []).kind).toBe("network");
    // No port or banner oracle: network failures are named by class, never in git's words.
    const banner = gitFailure("kex_exchange_identification: banner line contains invalid characters\nbanner exchange: Connection to 10.0.0.5 port 6379: invalid format\nfatal: Could not read from remote repository.", []);
    expect(banner.message).toBe("the repository host could not be reached");
    const leaked = gitFailure("fatal: weird failure with hunter2-token and Authorization: Basic Zm9vOmJhcg== in it", ["hunter2-token"]);
    expect(leaked.kind).toBe("failed");
    expect(leaked.message).not.toContain("hunter2-token");
    expect(leaked.message).not.toContain("Zm9vOmJhcg==");
  });

  it("scrubs given secrets and URL credentials", () => {
    expect(scrub("see https://bot:pa55word@example.com/x and pa55word", ["pa55word"])).not.toContain("pa55word");
  });
});
