import { describe, expect, it } from "vitest";
import { checkBucketEndpoint, checkGitUrl, checkHelmRepositoryUrl, checkOciUrl } from "./urls";

function errorOf(result: ReturnType<typeof checkGitUrl>): string | undefined {
  return result.ok ? undefined : result.error;
}

describe("checkGitUrl", () => {
  it.each([
    "https://github.com/fluxcd/flux2-kustomize-helm-example",
    "https://dev.azure.com/org/project/_git/repo",
    "ssh://git@github.com/org/repo.git",
    "ssh://git@ssh.dev.azure.com/v3/org/project/repo",
    "ssh://github.com:2222/org/repo",
    "https://10.0.0.5:8443/repo.git",
  ])("accepts %s", (url) => {
    expect(checkGitUrl(url)).toEqual({ ok: true });
  });

  it("accepts plain http with a warning", () => {
    expect(checkGitUrl("http://git.internal/repo.git")).toEqual({
      ok: true,
      warning: "uses plain http: repository contents and credentials travel unencrypted",
    });
  });

  // Hardening case 4.
  it.each([
    ["file:///etc/passwd", "scheme 'file' is not allowed: use http://, https://, ssh://"],
    ["FILE:///srv/repo", "scheme 'file' is not allowed: use http://, https://, ssh://"],
    ["git://github.com/org/repo", "scheme 'git' is not allowed: use http://, https://, ssh://"],
    ["javascript:alert(1)", "scheme 'javascript' is not allowed: use http://, https://, ssh://"],
    ["ext::sh -c touch% /tmp/pwned", "must not contain whitespace or control characters"],
    ["ext::sh", "must not use git's 'transport::address' remote-helper syntax (such as ext::)"],
    ["fd::17", "must not use git's 'transport::address' remote-helper syntax (such as ext::)"],
    ["-uhttps://evil/x", "must not start with '-'"],
    ["--upload-pack=touch /tmp/x", "must not contain whitespace or control characters"],
    ["--upload-pack=id", "must not start with '-'"],
    ["https://user:pass@github.com/org/repo", "must not embed a password (user:pass@): attach a credential instead"],
    ["ssh://git:secret@github.com/org/repo", "must not embed a password (user:pass@): attach a credential instead"],
    ["https://ghp_token123@github.com/org/repo", "must not embed a user name or token (user@): attach a credential instead"],
    ["https://github.com/org/repo\n", "must not contain whitespace or control characters"],
    ["https://github.com/org/re po", "must not contain whitespace or control characters"],
    ["https://github.com/org/repo\u0000", "must not contain whitespace or control characters"],
    ["https://github.com\\@evil.com/repo", "must not contain backslashes"],
    ["git@github.com:org/repo.git", "must be a URL: write scp-style 'git@host:path' as ssh://git@host/path"],
    ["https:github.com/org/repo", "must start with https://"],
    ["https://gíthub.com/org/repo", "must contain only ASCII characters (write international host names in punycode)"],
    ["https://github.com/org/repo#main", "must not contain a fragment (#)"],
    ["", "must not be empty"],
    [`https://github.com/${"a".repeat(2048)}`, "must be at most 2048 characters"],
  ])("rejects %j", (url, message) => {
    expect(errorOf(checkGitUrl(url))).toBe(message);
  });

  it.each([
    ["https://localhost/repo", "loopback"],
    ["https://127.0.0.1/repo", "loopback"],
    ["https://0x7f.1/repo", "loopback"],
    ["http://2130706433/repo", "loopback"],
    ["ssh://git@127.1/repo", "loopback"],
    ["ssh://git@[::1]/repo", "loopback"],
    ["https://[::ffff:127.0.0.1]/repo", "loopback"],
  ])("refuses the local host in %s unless allowed", (url, kind) => {
    expect(errorOf(checkGitUrl(url))).toBe(`host is a ${kind} address: local sources are refused unless an administrator allows them`);
    expect(checkGitUrl(url, { allowLocalSources: true }).ok).toBe(true);
  });

  it.each(["http://169.254.169.254/latest/meta-data", "https://[fe80::1]/repo", "https://[fd00:ec2::254]/repo", "ssh://git@169.254.10.1/repo"])(
    "refuses the link-local host in %s whatever the setting (issue 11 item 13)",
    (url) => {
      for (const allowLocalSources of [false, true]) {
        expect(errorOf(checkGitUrl(url, { allowLocalSources }))).toBe("host is a link-local or cloud metadata address: sources there are always refused");
      }
      expect(errorOf(checkBucketEndpoint(url.replace(/^.*:\/\/(git@)?/, "").replace(/\/.*$/, ""), false, { allowLocalSources: true }))).toBe("host is a link-local or cloud metadata address: sources there are always refused");
    },
  );

  it("refuses percent-encoded hosts that could hide a local address", () => {
    expect(errorOf(checkGitUrl("ssh://git@%31%32%37.0.0.1/repo"))).toBe("host must not contain percent-encoding");
  });
});

describe("checkOciUrl", () => {
  it("accepts a registry repository", () => {
    expect(checkOciUrl("oci://ghcr.io/stefanprodan/manifests/podinfo")).toEqual({ ok: true });
    expect(checkOciUrl("oci://registry.example.com:5000/team/app")).toEqual({ ok: true });
  });

  it.each([
    ["https://ghcr.io/org/repo", "scheme 'https' is not allowed: use oci://"],
    ["oci://ghcr.io", "must name a repository after the registry host (oci://registry/repository)"],
    ["oci://ghcr.io/org/app:1.0.0", "must not include a tag or digest: set the reference separately"],
    ["oci://ghcr.io/org/app@sha256:abc", "must not include a tag or digest: set the reference separately"],
    ["oci://ghcr.io/Org/App", "repository path must be lowercase letters and digits separated by '/', '.', '_' or '-' (OCI repository name)"],
    ["oci://user:pw@ghcr.io/org/app", "must not embed a password (user:pass@): attach a credential instead"],
    ["oci://ghcr.io/org/app?x=1", "must not contain a query (?)"],
    ["oci://localhost:5000/app", "host is a loopback address: local sources are refused unless an administrator allows them"],
  ])("rejects %j", (url, message) => {
    expect(errorOf(checkOciUrl(url))).toBe(message);
  });
});

describe("checkHelmRepositoryUrl", () => {
  it("uses http(s) rules for default repositories and oci rules for OCI ones", () => {
    expect(checkHelmRepositoryUrl("https://stefanprodan.github.io/podinfo", "default")).toEqual({ ok: true });
    expect(checkHelmRepositoryUrl("http://charts.internal", "default").ok).toBe(true);
    expect(errorOf(checkHelmRepositoryUrl("oci://ghcr.io/org/charts", "default"))).toBe("scheme 'oci' is not allowed: use http://, https://");
    expect(checkHelmRepositoryUrl("oci://ghcr.io/org/charts", "oci")).toEqual({ ok: true });
    expect(errorOf(checkHelmRepositoryUrl("https://charts.example.com", "oci"))).toBe("scheme 'https' is not allowed: use oci://");
    expect(errorOf(checkHelmRepositoryUrl("ssh://git@example.com/charts", "default"))).toBe("scheme 'ssh' is not allowed: use http://, https://");
  });
});

describe("checkBucketEndpoint", () => {
  it.each(["s3.amazonaws.com", "minio.minio.svc.cluster.local:9000", "10.0.0.7:9000", "[2001:db8::1]:9000"])("accepts %s", (endpoint) => {
    expect(checkBucketEndpoint(endpoint, false)).toEqual({ ok: true });
  });

  it("warns when insecure", () => {
    expect(checkBucketEndpoint("minio.local:9000", true)).toEqual({ ok: true, warning: "insecure: the bucket is read over plain HTTP" });
  });

  it.each([
    ["https://s3.amazonaws.com", "must be host[:port] without a scheme (use the insecure flag for plain HTTP)"],
    ["s3.amazonaws.com/bucket", "must be host[:port] only, without a path, user, query or percent-encoding"],
    ["key:secret@s3.amazonaws.com", "must be host[:port] only, without a path, user, query or percent-encoding"],
    ["minio:99999", "port must be between 1 and 65535"],
    ["bad_host:9000", "host must be a DNS name or an IP address"],
    ["169.254.169.254", "host is a link-local or cloud metadata address: sources there are always refused"],
    ["localhost:9000", "host is a loopback address: local sources are refused unless an administrator allows them"],
  ])("rejects %j", (endpoint, message) => {
    expect(errorOf(checkBucketEndpoint(endpoint, false))).toBe(message);
  });
});
