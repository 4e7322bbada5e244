import { describe, expect, it } from "vitest";
import { configurationSpecSchema, type SourceSpec } from "@/lib/validation/configuration";
import { checkHost, hostBindingProblem, sourceHost } from "./host-binding";
import { generateEd25519KeyPair } from "./ssh-key";
import { knownHostsCover, knownHostsSummary, parseKnownHosts } from "./known-hosts";

function source(input: Record<string, unknown>): SourceSpec {
  return configurationSpecSchema.parse({
    name: "demo",
    scope: "cluster",
    source: input,
    kustomizations: input.kind === "HelmRepository" ? [] : [{ name: "apps" }],
    helmReleases: input.kind === "HelmRepository" ? [{ name: "web", chart: "podinfo" }] : [],
    targets: { clusterIds: ["c1"] },
  }).source;
}

describe("checkHost", () => {
  it.each(["github.com", "GitHub.com", "git.example.org.", "10.0.0.7", "[2001:db8::1]", "2001:db8::1"])("accepts %s", (host) => {
    expect(checkHost(host)).toBeUndefined();
  });
  it.each([
    ["", /required/],
    ["https://github.com", /host name only/],
    ["github.com/acme", /host name only/],
    ["user@github.com", /host name only/],
    ["github.com:22", /without a port/],
    ["999.1.1.1", /IPv4/],
    ["exa mple.com", /DNS name/],
  ])("refuses %j", (host, message) => {
    expect(checkHost(host)).toMatch(message);
  });
});

describe("host binding", () => {
  const git = (url: string) => source({ kind: "GitRepository", url, ref: { type: "branch", value: "main" } });

  it("finds the host of every source kind", () => {
    expect(sourceHost(git("https://GitHub.com/acme/fleet"))).toBe("github.com");
    expect(sourceHost(git("ssh://git@github.com:2222/acme/fleet"))).toBe("github.com");
    expect(sourceHost(source({ kind: "OCIRepository", url: "oci://ghcr.io/acme/manifests", ref: { type: "tag", value: "v1" } }))).toBe("ghcr.io");
    expect(sourceHost(source({ kind: "HelmRepository", url: "https://charts.example.com/stable" }))).toBe("charts.example.com");
    expect(sourceHost(source({ kind: "Bucket", bucketName: "fleet", endpoint: "minio.example.com:9000" }))).toBe("minio.example.com");
  });

  it("allows the credential's own host, whatever the case or port", () => {
    expect(hostBindingProblem("github.com", git("https://github.com/acme/fleet"))).toBeUndefined();
    expect(hostBindingProblem("GITHUB.COM", git("ssh://git@github.com:2222/acme/fleet"))).toBeUndefined();
    expect(hostBindingProblem("github.com", git("https://github.com:8443/acme/fleet"), "https")).toBeUndefined();
  });

  it("never sends a password or token over plain http, nor a credential to another scheme (issue 11 item 11)", () => {
    for (const type of ["https", "bearer"] as const) {
      expect(hostBindingProblem("git.example.com", git("http://git.example.com:8080/acme/fleet"), type)).toBe(
        "the credential would travel unencrypted over plain http: use an https:// URL",
      );
      expect(hostBindingProblem("git.example.com", git("ssh://git@git.example.com/acme/fleet"), type)).toMatch(/only over https/);
    }
    expect(hostBindingProblem("git.example.com", git("https://git.example.com/acme/fleet"), "ssh")).toMatch(/only over ssh/);
    // The test harness's own loopback servers speak plain http, allowed with local sources only.
    const harness = { ...git("https://github.com/acme/fleet"), url: "http://127.0.0.1:8080/acme/fleet" } as SourceSpec;
    expect(hostBindingProblem("127.0.0.1", harness, "https", { allowLocalSources: true })).toBeUndefined();
    expect(hostBindingProblem("127.0.0.1", harness, "https")).toMatch(/plain http/);
  });

  it("refuses any other host, including look-alikes", () => {
    expect(hostBindingProblem("github.com", git("https://github.com.evil.example/acme/fleet"))).toMatch(/bound to host github.com; this source is on github.com.evil.example/);
    expect(hostBindingProblem("github.com", git("https://gitlab.com/acme/fleet"))).toMatch(/bound to host/);
    expect(hostBindingProblem("github.com", git("https://api.github.com/acme/fleet"))).toMatch(/bound to host/);
  });
});

describe("known_hosts", () => {
  const key = generateEd25519KeyPair("k").publicKey.split(" ").slice(0, 2).join(" ");

  it("parses plain, bracketed, hashed and marked entries", () => {
    const text = [
      "# comment",
      `github.com,140.82.112.3 ${key}`,
      `[git.example.com]:2222 ${key}`,
      `|1|${Buffer.alloc(20, 1).toString("base64")}|${Buffer.alloc(20, 2).toString("base64")} ${key}`,
      `@cert-authority *.corp.example ${key}`,
      "",
    ].join("\n");
    const parsed = parseKnownHosts(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(knownHostsSummary(parsed.entries)).toEqual(["github.com", "140.82.112.3", "[git.example.com]:2222", "(hashed entry)", "*.corp.example"]);
  });

  it.each([
    ["missing key", "github.com ssh-ed25519", /line 1 must be 'hosts key-type base64-key'/],
    ["key of another type", `github.com ssh-rsa ${key.split(" ")[1]}`, /line 1 has a key that is not valid/],
    ["bad host", `git/hub ${key}`, /line 1 has a host that is not/],
    ["bad marker", `@trusted github.com ${key}`, /unknown marker/],
    ["empty", "# nothing\n", /at least one host key/],
  ])("refuses %s with the line number", (_, text, message) => {
    const parsed = parseKnownHosts(text);
    expect(parsed.ok ? "ok" : parsed.error).toMatch(message);
  });

  it("covers a host by name, by [host]:port, by wildcard, but not when negated or revoked", () => {
    const entries = (text: string) => {
      const parsed = parseKnownHosts(text);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.entries;
    };
    expect(knownHostsCover(entries(`github.com ${key}`), "github.com")).toBe(true);
    expect(knownHostsCover(entries(`[git.example.com]:2222 ${key}`), "git.example.com")).toBe(true);
    expect(knownHostsCover(entries(`*.example.com ${key}`), "git.example.com")).toBe(true);
    expect(knownHostsCover(entries(`*.example.com,!git.example.com ${key}`), "git.example.com")).toBe(false);
    expect(knownHostsCover(entries(`gitlab.com ${key}`), "github.com")).toBe(false);
    expect(knownHostsCover(entries(`@revoked github.com ${key}`), "github.com")).toBe(false);
  });
});
