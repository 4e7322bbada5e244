import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  collectSpecWarnings,
  configurationSpecSchema,
  formatZodErrors,
  makeConfigurationSpecSchema,
  type ConfigurationSpecInput,
} from "./configuration";

function gitInput(overrides: Partial<ConfigurationSpecInput> = {}): ConfigurationSpecInput {
  return {
    name: "baseline",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "infra", path: "infrastructure" }],
    targets: { clusterIds: ["c1"] },
    ...overrides,
  };
}

/** Field errors of a failed parse, keyed by dotted path. */
function errorsOf(input: unknown, schema: z.ZodType = configurationSpecSchema): Record<string, string> {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected validation to fail");
  return formatZodErrors(result.error);
}

describe("configurationSpecSchema: valid input and defaults", () => {
  it("applies the documented defaults", () => {
    const spec = configurationSpecSchema.parse(gitInput());
    expect(spec).toMatchObject({ namespace: "flux-system", description: "", suspend: false });
    expect(spec.source).toMatchObject({ interval: "10m", timeout: "60s" });
    expect(spec.kustomizations[0]).toEqual({
      name: "infra",
      path: "./infrastructure",
      dependsOn: [],
      interval: "10m",
      prune: false,
      force: false,
      wait: true,
      postBuild: { substitute: {} },
    });
    expect(spec.helmReleases).toEqual([]);
  });

  it("defaults the Kustomization path to the repository root and a chart version to *", () => {
    const spec = configurationSpecSchema.parse(
      gitInput({ kustomizations: [{ name: "all" }], helmReleases: [{ name: "podinfo", chart: "charts/podinfo" }] }),
    );
    expect(spec.kustomizations[0]?.path).toBe("./");
    expect(spec.helmReleases[0]).toMatchObject({ version: "*", interval: "10m" });
  });

  it("accepts every source kind", () => {
    const sources = [
      { kind: "OCIRepository", url: "oci://ghcr.io/acme/manifests", ref: { type: "semver", value: ">=1.0.0" } },
      { kind: "Bucket", bucketName: "fleet-manifests", endpoint: "s3.amazonaws.com", provider: "aws", region: "eu-west-1" },
    ] as const;
    for (const source of sources) expect(configurationSpecSchema.safeParse(gitInput({ source })).success).toBe(true);
    const helm = gitInput({
      source: { kind: "HelmRepository", url: "oci://ghcr.io/acme/charts", type: "oci" },
      kustomizations: [],
      helmReleases: [{ name: "podinfo", chart: "podinfo", version: "^6.0", values: "replicaCount: 2" }],
    });
    expect(configurationSpecSchema.safeParse(helm).success).toBe(true);
  });

  it("accepts a label selector instead of cluster ids", () => {
    const input = gitInput({ targets: { selector: { matchLabels: { env: "prod" } } } });
    expect(configurationSpecSchema.parse(input).targets).toEqual({ clusterIds: [], selector: { matchLabels: { env: "prod" } } });
  });

  it("warns about plain http without refusing it", () => {
    const spec = configurationSpecSchema.parse(
      gitInput({ source: { kind: "GitRepository", url: "http://git.internal/fleet", ref: { type: "tag", value: "v1" } } }),
    );
    expect(collectSpecWarnings(spec)).toEqual({ "source.url": "uses plain http: repository contents and credentials travel unencrypted" });
  });
});

describe("configurationSpecSchema: hardening cases name the field", () => {
  const git = (url: string) => gitInput({ source: { kind: "GitRepository", url, ref: { type: "branch", value: "main" } } });

  it.each([
    ["file:///etc/passwd", "scheme 'file' is not allowed: use http://, https://, ssh://"],
    ["ext::sh", "must not use git's 'transport::address' remote-helper syntax (such as ext::)"],
    ["git://github.com/acme/fleet", "scheme 'git' is not allowed: use http://, https://, ssh://"],
    ["-uhttps://x/y", "must not start with '-'"],
    ["https://bob:hunter2@github.com/acme/fleet", "must not embed a password (user:pass@): attach a credential instead"],
    ["javascript:alert(1)", "scheme 'javascript' is not allowed: use http://, https://, ssh://"],
    ["https://127.0.0.1/acme/fleet", "host is a loopback address: local sources are refused unless an administrator allows them"],
  ])("case 4/3: Git URL %j -> source.url", (url, message) => {
    expect(errorsOf(git(url))).toEqual({ "source.url": message });
  });

  it("case 3: local hosts pass when the admin setting allows them", () => {
    const schema = makeConfigurationSpecSchema({ allowLocalSources: true });
    expect(schema.safeParse(git("https://127.0.0.1/acme/fleet")).success).toBe(true);
  });

  it.each([
    ["../../etc", "must not contain '..' segments"],
    ["/etc/passwd", "must be relative to the repository root, not absolute (no leading '/')"],
    ["%2e%2e/secrets", "must not contain percent-encoding ('%')"],
    ["apps\u0000", "must not contain NUL characters"],
  ])("case 5: Kustomization path %j -> kustomizations.1.path", (path, message) => {
    const input = gitInput({ kustomizations: [{ name: "infra" }, { name: "apps", path }] });
    expect(errorsOf(input)).toEqual({ "kustomizations.1.path": message });
  });

  it.each([
    ["a: &a [x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]", "must not expand aliases more than 10 times, nor use undefined aliases"],
    [`${"[".repeat(1000)}${"]".repeat(1000)}`, "must not nest deeper than 64 levels"],
    ["run: !!js/function 'function(){}'", "must not use custom or language-specific tags at line 1, column 6"],
    ["- a", "must be a YAML mapping (key: value pairs) at the top level"],
  ])("case 6: Helm values %j -> helmReleases.0.values", (values, message) => {
    const input = gitInput({ kustomizations: [], helmReleases: [{ name: "app", chart: "./charts/app", values }] });
    expect(errorsOf(input)).toEqual({ "helmReleases.0.values": message });
  });

  it("case 6: substitution variables with bad names -> the variable's path", () => {
    const input = gitInput({ kustomizations: [{ name: "infra", postBuild: { substitute: { "cluster-name": "x", OK_1: "y" } } }] });
    expect(errorsOf(input)).toEqual({
      "kustomizations.0.postBuild.substitute.cluster-name":
        "must start with a letter or '_' and contain only letters, digits and '_' (at most 128; substitution variable)",
    });
  });

  it.each([
    ["Baseline", "must be lowercase (DNS-1123 label)"],
    ["team/baseline", "must not contain '/' (DNS-1123 label)"],
    ["a..b", "must not contain '..' (DNS-1123 label)"],
    ["bäseline", "must contain only ASCII characters, no Unicode (DNS-1123 label)"],
    ["b".repeat(64), "must be at most 63 characters, got 64 (DNS-1123 label)"],
    ["<script>", "may contain only lowercase letters, digits and '-' (DNS-1123 label)"],
  ])("case 7/8: configuration name %j -> name", (name, message) => {
    expect(errorsOf(gitInput({ name }))).toEqual({ name: message });
  });

  it("case 8: free text keeps markup verbatim (the UI renders it inert); it never becomes a source", () => {
    const description = '<script>alert(1)</script> see javascript:alert(2)';
    expect(configurationSpecSchema.parse(gitInput({ description })).description).toBe(description);
    expect(errorsOf(gitInput({ description: "a\u0000b" }))).toEqual({
      description: "must not contain control characters other than tabs and line breaks",
    });
  });

  it("case 7: names the Kustomization, namespace and target namespace fields", () => {
    const input = gitInput({
      namespace: "Team-A",
      kustomizations: [{ name: "Infra" }, { name: "apps", targetNamespace: "a/b" }],
    });
    expect(errorsOf(input)).toEqual({
      namespace: "must be lowercase (DNS-1123 label)",
      "kustomizations.0.name": "must be lowercase (DNS-1123 label)",
      "kustomizations.1.targetNamespace": "must not contain '/' (DNS-1123 label)",
    });
  });

  it("case 7: the combined object name must fit a label value", () => {
    const input = gitInput({ name: "c".repeat(40), kustomizations: [{ name: "k".repeat(23) }] });
    expect(errorsOf(input)).toEqual({
      "kustomizations.0.name": 'with the configuration name, the object name "<configuration>-<name>" would be 64 characters; the limit is 63',
    });
    expect(configurationSpecSchema.safeParse(gitInput({ name: "c".repeat(40), kustomizations: [{ name: "k".repeat(22) }] })).success).toBe(true);
  });

  it("case 9: a 5 MiB values file is refused with the limit", () => {
    const values = `blob: "${"x".repeat(5 * 1024 * 1024)}"`;
    const input = gitInput({ kustomizations: [], helmReleases: [{ name: "app", chart: "./charts/app", values }] });
    expect(errorsOf(input)).toEqual({ "helmReleases.0.values": "must be at most 512.0 KiB (got 5.0 MiB)" });
  });

  it("case 9: values of all releases together are bounded", () => {
    const values = `blob: "${"x".repeat(400 * 1024)}"`;
    const helmReleases = ["a", "b", "c"].map((name) => ({ name, chart: "./charts/app", values }));
    expect(errorsOf(gitInput({ kustomizations: [], helmReleases }))).toEqual({
      helmReleases: "values of all Helm releases must be at most 1.0 MiB together (got 1.2 MiB)",
    });
  });

  it("case 9: too many clusters or workloads are refused with the limit", () => {
    const clusterIds = Array.from({ length: 10_000 }, (_, index) => `c${index}`);
    expect(errorsOf(gitInput({ targets: { clusterIds } }))).toEqual({
      "targets.clusterIds": "must name at most 5,000 clusters per request (got 10,000): split the request or use a label selector",
    });
    const kustomizations = Array.from({ length: 21 }, (_, index) => ({ name: `k${index}` }));
    expect(errorsOf(gitInput({ kustomizations }))).toEqual({ kustomizations: "must have at most 20 Kustomizations" });
  });
});

describe("configurationSpecSchema: cross-field rules", () => {
  it("rejects dependsOn on itself, on unknown names, and cycles", () => {
    const input = gitInput({
      kustomizations: [
        { name: "a", dependsOn: ["a", "ghost"] },
        { name: "b", dependsOn: ["c"] },
        { name: "c", dependsOn: ["b"] },
      ],
    });
    expect(errorsOf(input)).toEqual({
      "kustomizations.0.dependsOn.0": "must not name the Kustomization itself",
      "kustomizations.0.dependsOn.1": "must name another Kustomization in this configuration",
      "kustomizations.1.dependsOn": "forms a dependency cycle: b -> c -> b",
    });
  });

  it("rejects duplicate names", () => {
    const input = gitInput({
      kustomizations: [{ name: "a" }, { name: "a" }],
      helmReleases: [{ name: "r", chart: "./c" }, { name: "r", chart: "./c" }],
    });
    expect(errorsOf(input)).toEqual({
      "kustomizations.1.name": "is already used by another Kustomization in this configuration",
      "helmReleases.1.name": "is already used by another Helm release in this configuration",
    });
  });

  it("requires at least one Kustomization or Helm release", () => {
    expect(errorsOf(gitInput({ kustomizations: [] }))).toEqual({ kustomizations: "add at least one Kustomization or Helm release" });
  });

  it("matches workloads to the source kind", () => {
    const helmSource = { kind: "HelmRepository", url: "https://charts.example.com" } as const;
    expect(errorsOf(gitInput({ source: helmSource }))).toEqual({
      kustomizations: "need a GitRepository, OCIRepository or Bucket source; a HelmRepository only serves charts",
    });
    const ociSource = { kind: "OCIRepository", url: "oci://ghcr.io/acme/app", ref: { type: "tag", value: "v1" } } as const;
    expect(errorsOf(gitInput({ source: ociSource, helmReleases: [{ name: "r", chart: "app" }] }))).toEqual({
      helmReleases: "need a HelmRepository or GitRepository source for their charts",
    });
    expect(errorsOf(gitInput({ source: helmSource, kustomizations: [], helmReleases: [{ name: "r", chart: "./charts/app" }] }))).toEqual({
      "helmReleases.0.chart": "must be a chart name, not a path, when the source is a HelmRepository",
    });
    expect(errorsOf(gitInput({ kustomizations: [], helmReleases: [{ name: "r", chart: "../charts/app" }] }))).toEqual({
      "helmReleases.0.chart": "must not contain '..' segments",
    });
  });

  it("keeps a namespace-scoped configuration in its namespace", () => {
    const input = gitInput({ scope: "namespace", namespace: "team-a", kustomizations: [{ name: "app", targetNamespace: "kube-system" }] });
    expect(errorsOf(input)).toEqual({
      "kustomizations.0.targetNamespace": "must be the configuration's own namespace for a namespace-scoped configuration",
    });
  });

  it("requires targets, and refuses an empty selector that would match the whole fleet", () => {
    expect(errorsOf(gitInput({ targets: {} }))).toEqual({ targets: "choose at least one cluster or a label selector" });
    expect(errorsOf(gitInput({ targets: { selector: {} } }))).toEqual({
      "targets.selector": "must have at least one label or expression (an empty selector would match every cluster)",
    });
  });

  it("checks source references by kind", () => {
    const bad = (ref: { type: "commit" | "semver" | "branch"; value: string }) =>
      errorsOf(gitInput({ source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref } }));
    expect(bad({ type: "commit", value: "abc123" })).toEqual({ "source.ref.value": "must be a full 40-character lowercase hexadecimal commit SHA" });
    expect(bad({ type: "semver", value: "latest" })).toEqual({
      "source.ref.value": "must be a semver range such as ^1.2, ~1.2.3, >=1.0 <2.0 or * (semver constraint syntax)",
    });
    expect(bad({ type: "branch", value: "--upload-pack=x" })).toEqual({ "source.ref.value": "must not start with '-'" });
    const digest = errorsOf(gitInput({ source: { kind: "OCIRepository", url: "oci://ghcr.io/a/b", ref: { type: "digest", value: "sha256:xyz" } } }));
    expect(digest).toEqual({ "source.ref.value": "must be sha256: followed by 64 lowercase hexadecimal characters" });
  });

  it("names unknown source kinds and bucket fields", () => {
    expect(errorsOf(gitInput({ source: { kind: "AzureBlob" } as never }))).toEqual({
      "source.kind": "must be GitRepository, OCIRepository, Bucket or HelmRepository",
    });
    const bucket = { kind: "Bucket", bucketName: "My_Bucket", endpoint: "https://s3.amazonaws.com" } as const;
    expect(errorsOf(gitInput({ source: bucket }))).toEqual({
      "source.bucketName": "must be lowercase letters, digits, '.' and '-', starting and ending with a letter or digit (S3 bucket name)",
      "source.endpoint": "must be host[:port] without a scheme (use the insecure flag for plain HTTP)",
    });
  });
});
