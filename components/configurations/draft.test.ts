import { describe, expect, it } from "vitest";
import { configurationSpecSchema } from "@/lib/validation/configuration";
import { emptyAlert, emptyDraft, emptyHelmRelease, emptyKustomization, emptyProvider, emptyWave, fromSpec, toSpecInput } from "./draft";

describe("the Argo CD project in the draft", () => {
  const draft = { ...emptyDraft(), name: "demo", source: { ...emptyDraft().source, url: "https://github.com/acme/fleet" }, targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };

  it("is left out when empty, so Argo CD's default project applies", () => {
    expect(toSpecInput(draft).argo).toBeUndefined();
    expect(configurationSpecSchema.parse(toSpecInput({ ...draft, argoProject: "  " })).argo).toBeUndefined();
  });

  it("round-trips through the spec and is validated as an object name", () => {
    const spec = configurationSpecSchema.parse(toSpecInput({ ...draft, argoProject: " platform " }));
    expect(spec.argo).toEqual({ project: "platform" });
    expect(fromSpec(spec).argoProject).toBe("platform");
    expect(configurationSpecSchema.safeParse(toSpecInput({ ...draft, argoProject: "Not_A_Name" })).success).toBe(false);
  });
});

describe("the §3 Flux fields in the draft", () => {
  const base = { ...emptyDraft(), name: "demo", source: { ...emptyDraft().source, url: "https://github.com/acme/fleet" }, targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };

  it("round-trips YAML lists, lines and Helm remediation through the spec", () => {
    const draft = {
      ...base,
      kustomizations: [{ ...base.kustomizations[0]!, images: "- name: nginx\n  newTag: '1.27'\n", components: "../c/ingress\n\n../c/tls", deletionPolicy: "Orphan", serviceAccountName: "deployer" }],
      helmReleases: [
        { ...emptyHelmRelease(), name: "db", chart: "charts/db" },
        { ...emptyHelmRelease(), name: "web", chart: "charts/web", dependsOn: ["db"], maxHistory: "4", upgradeRetries: "-1", remediateLastFailure: true, upgradeStrategy: "uninstall", driftDetection: "warn" },
      ],
    };
    const spec = configurationSpecSchema.parse(toSpecInput(draft));
    expect(spec.kustomizations[0]).toMatchObject({ images: [{ name: "nginx", newTag: "1.27" }], components: ["../c/ingress", "../c/tls"], deletionPolicy: "Orphan", serviceAccountName: "deployer" });
    expect(spec.helmReleases[1]).toMatchObject({ dependsOn: ["db"], maxHistory: 4, upgrade: { remediation: { retries: -1, remediateLastFailure: true, strategy: "uninstall" } }, driftDetection: { mode: "warn" } });
    const again = configurationSpecSchema.parse(toSpecInput(fromSpec(spec)));
    expect(again).toEqual(spec);
  });

  it("passes a non-number on so the schema names the field", () => {
    const draft = { ...base, kustomizations: [], helmReleases: [{ ...emptyHelmRelease(), name: "web", chart: "charts/web", maxHistory: "lots" }] };
    const result = configurationSpecSchema.safeParse(toSpecInput(draft));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join(".")).toBe("helmReleases.0.maxHistory");
  });
});

describe("overrides in the draft", () => {
  it("survive an edit in the wizard (it does not edit them; the Overrides tab does)", () => {
    const spec = configurationSpecSchema.parse({
      name: "demo",
      scope: "cluster",
      source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
      kustomizations: [{ name: "apps" }],
      targets: { clusterIds: ["c1"] },
      overrides: [{ clusterId: "c1", substitute: { SIZE: "large" } }],
    });
    expect(configurationSpecSchema.parse(toSpecInput(fromSpec(spec))).overrides).toEqual(spec.overrides);
  });
});

describe("source fields in the wizard", () => {
  it("round-trip a sparse Git checkout (lines) and an OCI layer and signers, extra signers kept", () => {
    const git = { ...emptyDraft(), name: "monorepo", targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };
    git.source = { ...git.source, url: "https://github.com/acme/monorepo", sparseCheckout: " deploy/prod \n\n./charts\n" };
    const gitSpec = configurationSpecSchema.parse(toSpecInput(git));
    expect(gitSpec.source).toMatchObject({ kind: "GitRepository", sparseCheckout: ["deploy/prod", "charts"] });
    expect(fromSpec(gitSpec).source.sparseCheckout).toBe("deploy/prod\ncharts");
    // Empty stays absent: the whole repository.
    expect(configurationSpecSchema.parse(toSpecInput({ ...git, source: { ...git.source, sparseCheckout: " \n" } })).source).not.toHaveProperty("sparseCheckout");

    const oci = { ...git, name: "signed" };
    const signers = [{ issuer: "^https://token\\.actions\\.githubusercontent\\.com$", subject: "^https://github\\.com/acme/.*$" }, { issuer: "^https://accounts\\.google\\.com$", subject: "^ci@acme\\.iam$" }];
    oci.source = { ...oci.source, kind: "OCIRepository", url: "oci://ghcr.io/acme/manifests", refType: "tag", refValue: "1.0.0", layerMediaType: "application/x-tar", layerOperation: "copy", verifyIdentities: signers };
    const ociSpec = configurationSpecSchema.parse(toSpecInput(oci));
    expect(ociSpec.source).toMatchObject({ layerSelector: { mediaType: "application/x-tar", operation: "copy" }, verify: { provider: "cosign", matchOIDCIdentity: signers } });
    expect(configurationSpecSchema.parse(toSpecInput(fromSpec(ociSpec))).source).toEqual(ociSpec.source);
  });

  it("round-trip signature checks, included repositories and SOPS decryption, and leave them out when off", () => {
    const draft = { ...emptyDraft(), name: "signed", targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };
    draft.source = { ...draft.source, url: "https://github.com/acme/platform", refType: "tag", refValue: "v1.2.0", verifyMode: "TagAndHEAD", verifyCredentialId: "pgp-1", include: "- repository:\n    name: shared\n  toPath: vendor/shared\n" };
    draft.kustomizations = [{ ...emptyKustomization("apps"), decrypt: true, decryptionCredentialId: "age-1" }, { ...emptyKustomization("kms"), decrypt: true }, emptyKustomization("plain")];
    const spec = configurationSpecSchema.parse(toSpecInput(draft));
    expect(spec.source).toMatchObject({ verify: { mode: "TagAndHEAD", credentialId: "pgp-1" }, include: [{ repository: { name: "shared" }, toPath: "vendor/shared" }] });
    expect(spec.kustomizations.map((k) => k.decryption)).toEqual([{ provider: "sops", credentialId: "age-1" }, { provider: "sops" }, undefined]);
    expect(configurationSpecSchema.parse(toSpecInput(fromSpec(spec)))).toEqual(spec);

    const off = configurationSpecSchema.parse(toSpecInput({ ...draft, source: { ...draft.source, verifyMode: "", include: " " }, kustomizations: [emptyKustomization("apps")] }));
    expect(off.source).not.toHaveProperty("verify");
    expect(off.source).not.toHaveProperty("include");
    expect(off.kustomizations[0]?.decryption).toBeUndefined();

    const oci = { ...draft, source: { ...emptyDraft().source, kind: "OCIRepository" as const, url: "oci://ghcr.io/acme/app", refType: "tag", refValue: "1.0.0", verifyCredentialId: "cosign-1" }, kustomizations: [emptyKustomization("apps")] };
    const ociSpec = configurationSpecSchema.parse(toSpecInput(oci));
    expect(ociSpec.source).toMatchObject({ verify: { provider: "cosign", credentialId: "cosign-1", matchOIDCIdentity: [] } });
    expect(fromSpec(ociSpec).source.verifyCredentialId).toBe("cosign-1");
  });
});

describe("the rollout strategy in the draft", () => {
  const base = { ...emptyDraft(), name: "demo", source: { ...emptyDraft().source, url: "https://github.com/acme/fleet" }, targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };

  it("is left out when off (all targets at once), and round-trips its waves when on", () => {
    expect(configurationSpecSchema.parse(toSpecInput(base)).strategy).toBeUndefined();
    const waves = [{ ...emptyWave("dev", "env=dev"), soakSeconds: "30" }, { ...emptyWave("canary", "env in (prod)"), percent: "10", approval: "second-person" as const }, emptyWave("prod")];
    const spec = configurationSpecSchema.parse(toSpecInput({ ...base, strategy: { enabled: true, waves } }));
    expect(spec.strategy?.waves.map((w) => [w.name, w.selector, w.percent, w.soakSeconds, w.approval])).toEqual([
      ["dev", { matchLabels: { env: "dev" } }, undefined, 30, "auto"],
      ["canary", { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] }, 10, 120, "second-person"],
      ["prod", undefined, undefined, 120, "auto"],
    ]);
    expect(fromSpec(spec).strategy.waves.map((w) => [w.name, w.selector, w.percent])).toEqual([["dev", "env=dev", ""], ["canary", "env in (prod)", "10"], ["prod", "", ""]]);
    expect(configurationSpecSchema.parse(toSpecInput(fromSpec(spec))).strategy).toEqual(spec.strategy);
  });

  it("names each bad wave field", () => {
    const waves = [{ ...emptyWave("dev", "tier in web"), soakSeconds: "soon" }, { ...emptyWave("dev"), concurrency: "0" }];
    const result = configurationSpecSchema.safeParse(toSpecInput({ ...base, strategy: { enabled: true, waves } }));
    const issues = Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(issues).toMatchObject({
      "strategy.waves.0.soakSeconds": "must be from 0 to 86400 seconds (a day)",
      "strategy.waves.1.concurrency": "must be from 1 to 256",
      "strategy.waves.1.name": "is already the name of an earlier wave",
    });
    expect(issues["strategy.waves.0.selector"]).toMatch(/tier in web/);
  });
});

describe("Flux alerts in the draft", () => {
  const base = { ...emptyDraft(), name: "demo", source: { ...emptyDraft().source, url: "https://github.com/acme/fleet" }, targets: { clusterIds: ["c1"], matchLabels: "", expressions: [] } };

  it("are left out when there are none, and round-trip providers and alerts when there are", () => {
    expect(toSpecInput(base).notifications).toBeUndefined();
    const notifications = {
      providers: [
        { ...emptyProvider(), name: "slack", channel: " alerts ", credentialId: "cred-1" },
        { ...emptyProvider(), name: "status", type: "github", address: "https://github.com/acme/fleet", credentialId: "cred-2" },
      ],
      alerts: [
        { ...emptyAlert("slack"), name: "failures", exclusionList: "^Dependencies\n^Health", summary: "prod" },
        { ...emptyAlert("status"), name: "all", eventSeverity: "info" as const, eventSources: "- kind: Kustomization\n  name: '*'\n", suspend: true },
      ],
    };
    const spec = configurationSpecSchema.parse(toSpecInput({ ...base, notifications }));
    expect(spec.notifications?.providers.map((p) => [p.name, p.type, p.channel, p.address])).toEqual([["slack", "slack", "alerts", undefined], ["status", "github", undefined, "https://github.com/acme/fleet"]]);
    expect(spec.notifications?.alerts.map((a) => [a.name, a.eventSeverity, a.exclusionList, a.eventSources, a.suspend])).toEqual([
      ["failures", "error", ["^Dependencies", "^Health"], undefined, undefined],
      ["all", "info", undefined, [{ kind: "Kustomization", name: "*" }], true],
    ]);
    expect(configurationSpecSchema.parse(toSpecInput(fromSpec(spec))).notifications).toEqual(spec.notifications);
  });
});
