import { describe, expect, it } from "vitest";
import { configurationSpecSchema, formatZodErrors, type ConfigurationSpecInput } from "./configuration";

// Issue 18 §3: every new Flux field refuses bad input with a message on the field the wizard shows.

function spec(kustomization: Record<string, unknown> = {}, release?: Record<string, unknown>, overrides: Partial<ConfigurationSpecInput> = {}): ConfigurationSpecInput {
  return {
    name: "platform",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps", ...kustomization }],
    helmReleases: release ? [{ name: "redis", chart: "charts/redis" }, { name: "web", chart: "charts/web", ...release }] : [],
    targets: { clusterIds: ["c1"] },
    ...overrides,
  } as ConfigurationSpecInput;
}

function errorsOf(input: ConfigurationSpecInput): Record<string, string> {
  const result = configurationSpecSchema.safeParse(input);
  if (result.success) throw new Error("expected validation to fail");
  return formatZodErrors(result.error);
}

describe("Kustomization fields", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ["substituteFrom kind", { postBuild: { substituteFrom: "- kind: Pod\n  name: x\n" } }, "kustomizations.0.postBuild.substituteFrom", "item 1: kind must be ConfigMap or Secret"],
    ["substituteFrom not a list", { postBuild: { substituteFrom: "kind: ConfigMap\nname: x\n" } }, "kustomizations.0.postBuild.substituteFrom", "must be a YAML list"],
    ["substituteFrom misspelled field", { postBuild: { substituteFrom: "- kind: Secret\n  name: x\n  optinal: true\n" } }, "kustomizations.0.postBuild.substituteFrom", 'unknown field "optinal"'],
    ["patch without target naming no object", { patches: "- patch: |\n    spec:\n      replicas: 2\n" }, "kustomizations.0.patches", "item 1: patch without a target, a strategic-merge patch must name its object"],
    ["JSON 6902 patch without target", { patches: "- patch: |\n    - op: remove\n      path: /spec/replicas\n" }, "kustomizations.0.patches", "needs a target"],
    ["JSON 6902 bad op", { patches: "- patch: |\n    - op: delete\n      path: /spec\n  target:\n    kind: Deployment\n" }, "kustomizations.0.patches", "operation 1 must have op add, remove"],
    ["patch invalid YAML", { patches: "- patch: [\n" }, "kustomizations.0.patches", "is not valid YAML"],
    ["image with nothing to change", { images: "- name: nginx\n" }, "kustomizations.0.images", "item 1: must set newName, newTag or digest"],
    ["image bad digest", { images: "- name: nginx\n  digest: sha256:xyz\n" }, "kustomizations.0.images", "item 1: digest must be sha256:"],
    ["health check without name", { healthChecks: "- kind: Deployment\n" }, "kustomizations.0.healthChecks", "item 1: name is required"],
    ["absolute component", { components: "../ok\n/etc/components" }, "kustomizations.0.components", "line 2: must be relative"],
    ["deletion policy", { deletionPolicy: "Keep" }, "kustomizations.0.deletionPolicy", "must be MirrorPrune, Delete, WaitForTermination, Orphan"],
    ["service account name", { serviceAccountName: "Not_A_Name" }, "kustomizations.0.serviceAccountName", "must"],
  ])("%s", (_, fields, path, message) => {
    expect(errorsOf(spec(fields))[path]).toContain(message);
  });

  it("refuses a service account on a namespace-scoped configuration, and health checks outside its namespace", () => {
    const errors = errorsOf(spec({ serviceAccountName: "mine", healthChecks: [{ kind: "Deployment", name: "x", namespace: "kube-system" }] }, undefined, { scope: "namespace", namespace: "team-a" }));
    expect(errors["kustomizations.0.serviceAccountName"]).toContain("is set by Fleetline for a namespace-scoped configuration");
    expect(errors["kustomizations.0.healthChecks"]).toContain("namespace must be the configuration's own namespace");
  });

  it("bounds list sizes with the limit", () => {
    const images = Array.from({ length: 51 }, (_, i) => ({ name: `img${i}`, newTag: "1" }));
    expect(errorsOf(spec({ images }))["kustomizations.0.images"]).toBe("must have at most 50 images");
  });

  it("accepts structured lists as stored, and leaves empty ones out", () => {
    const parsed = configurationSpecSchema.parse(spec({ images: [{ name: "nginx", newTag: "1.27" }], patches: "", components: [] }));
    expect(parsed.kustomizations[0]?.images).toEqual([{ name: "nginx", newTag: "1.27" }]);
    expect(parsed.kustomizations[0]?.patches).toBeUndefined();
  });
});

describe("HelmRelease fields", () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ["dependsOn unknown", { dependsOn: ["db"] }, "helmReleases.1.dependsOn.0", "must name another Helm release"],
    ["dependsOn itself", { dependsOn: ["web"] }, "helmReleases.1.dependsOn.0", "must not name the Helm release itself"],
    ["timeout", { timeout: "soon" }, "helmReleases.1.timeout", ""],
    ["maxHistory", { maxHistory: 1000 }, "helmReleases.1.maxHistory", "must be at most 100"],
    ["install retries", { install: { remediation: { retries: 1.5 } } }, "helmReleases.1.install.remediation.retries", "must be a whole number"],
    ["upgrade strategy", { upgrade: { remediation: { strategy: "revert" } } }, "helmReleases.1.upgrade.remediation.strategy", "must be rollback or uninstall"],
    ["valuesFrom kind", { valuesFrom: "- kind: File\n  name: v\n" }, "helmReleases.1.valuesFrom", "item 1: kind must be ConfigMap or Secret"],
    ["valuesFrom target path", { valuesFrom: "- kind: Secret\n  name: v\n  targetPath: a b\n" }, "helmReleases.1.valuesFrom", "item 1: targetPath must be a dotted values path"],
    ["drift detection mode", { driftDetection: { mode: "on" } }, "helmReleases.1.driftDetection.mode", "must be enabled, warn or disabled"],
  ])("%s", (_, fields, path, message) => {
    const errors = errorsOf(spec({}, fields));
    expect(errors[path], JSON.stringify(errors)).toBeDefined();
    expect(errors[path]).toContain(message);
  });

  it("refuses a dependency cycle between Helm releases", () => {
    const input = spec({}, { dependsOn: ["redis"] });
    (input.helmReleases as Array<Record<string, unknown>>)[0]!.dependsOn = ["web"];
    expect(Object.values(errorsOf(input)).join()).toContain("forms a dependency cycle");
  });
});

describe("source fields", () => {
  const oci = (fields: Record<string, unknown>) =>
    spec({}, undefined, { source: { kind: "OCIRepository", url: "oci://ghcr.io/acme/manifests", ref: { type: "tag", value: "1.0.0" }, ...fields } as never });
  const git = (fields: Record<string, unknown>) =>
    spec({}, undefined, { source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref: { type: "branch", value: "main" }, ...fields } as never });
  it.each<[string, ConfigurationSpecInput, string, string]>([
    ["sparse checkout outside the repository", git({ sparseCheckout: ["deploy", "../secrets"] }), "source.sparseCheckout", "line 2: must not contain '..' segments"],
    ["sparse checkout of the root", git({ sparseCheckout: ["./"] }), "source.sparseCheckout", "line 1: must name a directory"],
    ["too many sparse directories", git({ sparseCheckout: Array.from({ length: 51 }, (_, i) => `d${i}`) }), "source.sparseCheckout", "must be at most 50 directories"],
    ["layer media type", oci({ layerSelector: { mediaType: "tar gz" } }), "source.layerSelector.mediaType", "must be a media type"],
    ["layer operation", oci({ layerSelector: { mediaType: "application/x-tar", operation: "unpack" } }), "source.layerSelector.operation", "must be extract or copy"],
    ["verify provider", oci({ verify: { provider: "notation", matchOIDCIdentity: [{ issuer: "a", subject: "b" }] } }), "source.verify.provider", "must be cosign"],
    ["verify without an identity", oci({ verify: { provider: "cosign", matchOIDCIdentity: [] } }), "source.verify.matchOIDCIdentity", "needs at least one issuer and subject"],
    ["verify bad regular expression", oci({ verify: { provider: "cosign", matchOIDCIdentity: [{ issuer: "^https://(", subject: ".*" }] } }), "source.verify.matchOIDCIdentity.0.issuer", "is not a valid regular expression"],
    ["verify lookahead (not in RE2)", oci({ verify: { provider: "cosign", matchOIDCIdentity: [{ issuer: ".*", subject: "^(?!evil).*$" }] } }), "source.verify.matchOIDCIdentity.0.subject", "must not use lookaround"],
  ])("%s", (_, input, path, message) => {
    expect(errorsOf(input)[path]).toContain(message);
  });
});

describe("signatures, included repositories and SOPS decryption", () => {
  const git = (extra: Record<string, unknown>, ref: Record<string, unknown> = { type: "branch", value: "main" }) =>
    spec({}, undefined, { source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref, ...extra } as ConfigurationSpecInput["source"] });
  const oci = (verify: Record<string, unknown>) =>
    spec({}, undefined, { source: { kind: "OCIRepository", url: "oci://ghcr.io/acme/app", ref: { type: "tag", value: "1.0.0" }, verify } as ConfigurationSpecInput["source"] });

  it("verifies a branch only at HEAD: a tag mode needs a tag or semver reference", () => {
    expect(errorsOf(git({ verify: { mode: "Tag", credentialId: "k1" } }))).toEqual({ "source.verify.mode": "Tag needs a tag or semver reference; use HEAD to verify the commit of a branch" });
    expect(configurationSpecSchema.safeParse(git({ verify: { mode: "TagAndHEAD", credentialId: "k1" } }, { type: "tag", value: "v1.2.0" })).success).toBe(true);
    expect(errorsOf(git({ verify: { mode: "head", credentialId: "k1" } }))["source.verify.mode"]).toBe("must be HEAD, Tag or TagAndHEAD");
    expect(errorsOf(git({ verify: { mode: "HEAD" } }))["source.verify.credentialId"]).toBeDefined();
  });

  it("includes repositories by name with relative paths only", () => {
    expect(errorsOf(git({ include: "- repository:\n    name: Shared_Repo\n" }))["source.include"]).toMatch(/^item 1: repository.name/);
    expect(errorsOf(git({ include: [{ repository: { name: "ok" } }, { repository: { name: "ok" }, toPath: "../../etc" }] }))["source.include"]).toMatch(/^item 2: toPath/);
    expect(errorsOf(git({ include: "- repository: {name: ok}\n  frompath: x\n" }))["source.include"]).toMatch(/unknown field "frompath"/);
    const parsed = configurationSpecSchema.parse(git({ include: [{ repository: { name: "shared" }, fromPath: "policies/", toPath: "vendor/policies" }] }));
    expect(parsed.source.kind === "GitRepository" && parsed.source.include).toEqual([{ repository: { name: "shared" }, fromPath: "policies/", toPath: "vendor/policies" }]);
  });

  it("verifies an OCI artifact by a public key or by the signer's identity, not both, and not by nothing", () => {
    const identity = { issuer: "^https://token\\.actions\\.githubusercontent\\.com$", subject: "^https://github\\.com/acme/.*$" };
    expect(configurationSpecSchema.safeParse(oci({ provider: "cosign", credentialId: "k1" })).success).toBe(true);
    expect(configurationSpecSchema.safeParse(oci({ provider: "cosign", matchOIDCIdentity: [identity] })).success).toBe(true);
    expect(errorsOf(oci({ provider: "cosign", credentialId: "k1", matchOIDCIdentity: [identity] }))).toEqual({ "source.verify.matchOIDCIdentity": "must be empty when a public key verifies the artifact (Flux would ignore it)" });
    expect(errorsOf(oci({ provider: "cosign" }))["source.verify.matchOIDCIdentity"]).toMatch(/or a cosign public key/);
  });

  it("decrypts with sops only", () => {
    expect(errorsOf(spec({ decryption: { provider: "vault", credentialId: "k1" } }))).toEqual({ "kustomizations.0.decryption.provider": "must be sops" });
    expect(configurationSpecSchema.parse(spec({ decryption: { provider: "sops" } })).kustomizations[0]?.decryption).toEqual({ provider: "sops" });
  });
});
