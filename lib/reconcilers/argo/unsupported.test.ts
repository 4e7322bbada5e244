import { describe, expect, it } from "vitest";
import { bucketInput, CREDENTIALS, gitHttpsInput, suspendedNamespacedInput } from "@/lib/reconcilers/flux/test-fixtures";
import { configurationSpecSchema, type ConfigurationSpecInput } from "@/lib/validation/configuration";
import { unsupportedFields } from "./unsupported";

const paths = (...args: Parameters<typeof unsupportedFields>) => unsupportedFields(...args).map((field) => field.path);

function spec(overrides: Partial<ConfigurationSpecInput> = {}) {
  return configurationSpecSchema.parse({
    name: "plain",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps", path: "./apps" }],
    targets: { clusterIds: ["c1"] },
    ...overrides,
  } satisfies ConfigurationSpecInput);
}

describe("unsupportedFields", () => {
  it("names only the intervals and the source timeout for a plain Git configuration", () => {
    expect(paths(spec())).toEqual(["source.interval", "source.timeout", "kustomizations.0.interval"]);
  });

  it("names every Kustomization field with no Argo CD equivalent, by path", () => {
    expect(paths(gitHttpsInput.spec, gitHttpsInput.credential)).toEqual([
      "source.interval",
      "source.timeout",
      "source.credentialId",
      "kustomizations.0.interval",
      "kustomizations.0.timeout",
      "kustomizations.1.interval",
      "kustomizations.1.dependsOn",
      "kustomizations.1.retryInterval",
      "kustomizations.1.postBuild.substitute",
    ]);
    const forced = spec({ kustomizations: [{ name: "apps", force: true, wait: false }] });
    expect(paths(forced)).toEqual(["source.interval", "source.timeout", "kustomizations.0.interval", "kustomizations.0.force", "kustomizations.0.wait"]);
  });

  it("names the scope, Helm releases and the known_hosts of an SSH credential", () => {
    const fields = unsupportedFields(suspendedNamespacedInput.spec, suspendedNamespacedInput.credential);
    expect(fields.map((f) => f.path)).toEqual(["scope", "source.interval", "source.timeout", "source.credentialId", "kustomizations.0.interval", "helmReleases.0.interval"]);
    expect(fields.find((f) => f.path === "source.credentialId")?.reason).toMatch(/argocd-ssh-known-hosts-cm/);
    expect(fields.find((f) => f.path === "helmReleases.0.interval")?.reason).toMatch(/global schedule/);
  });

  it("names source options and a namespace Argo CD does not use", () => {
    const source = { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "semver", value: "^1.0.0" }, provider: "github", ignore: "*.md", recurseSubmodules: true } as const;
    expect(paths(spec({ namespace: "gitops", source }))).toEqual([
      "namespace",
      "source.interval",
      "source.timeout",
      "source.ref",
      "source.provider",
      "source.ignore",
      "source.recurseSubmodules",
      "kustomizations.0.interval",
    ]);
  });

  it("explains what becomes of each credential type", () => {
    const reason = (credential: (typeof CREDENTIALS)[keyof typeof CREDENTIALS]) => unsupportedFields(spec(), credential).find((f) => f.path === "source.credentialId")?.reason;
    expect(reason(CREDENTIALS.https)).toBeUndefined();
    expect(reason(CREDENTIALS.httpsWithCa)).toMatch(/CA certificate is not written/);
    expect(reason(CREDENTIALS.ca)).toMatch(/nothing is written/);
    expect(reason(CREDENTIALS.bearer)).toMatch(/Bitbucket Data Center/);
  });

  it("says once that a non-Git source is not pushed to Argo CD at all", () => {
    expect(unsupportedFields(bucketInput.spec)).toEqual([{ path: "source.kind", reason: expect.stringContaining("nothing of this Bucket configuration is pushed") }]);
  });
});
