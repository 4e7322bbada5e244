import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importFromAzure, MAX_AZURE_IMPORT_BYTES, MAX_AZURE_IMPORT_CONFIGURATIONS, type ImportedConfiguration } from "./azure";

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "fixtures", "azure", name), "utf8");

function imported(text: string): ImportedConfiguration[] {
  const result = importFromAzure(text);
  if (!result.ok) throw new Error(result.error);
  return result.configurations;
}

const only = (text: string) => {
  const [first, ...rest] = imported(text);
  expect(rest).toHaveLength(0);
  return first!;
};
const fields = (notes: { field: string }[]) => notes.map((n) => n.field);

describe("importFromAzure: fixtures written from Azure's documented schema", () => {
  it("maps az k8s-configuration flux show output (flat, with nulls and status)", () => {
    const c = only(fixture("flux-show.json"));
    expect(c).toMatchObject({ azureName: "cluster-config", azureKind: "fluxConfiguration", cluster: "aks-westeu-1" });
    expect(c.draft).toMatchObject({ name: "cluster-config", scope: "cluster", namespace: "cluster-config", suspend: false });
    expect(c.draft.source).toMatchObject({ kind: "GitRepository", url: "https://github.com/Azure/gitops-flux2-kustomize-helm-mt", refType: "branch", refValue: "main", interval: "5m", timeout: "3m", provider: "generic" });
    expect(c.draft.kustomizations).toEqual([
      { name: "infra", path: "./infrastructure", dependsOn: [], interval: "10m", retryInterval: "", timeout: "10m", prune: true, force: false, wait: true, substitute: "", substituteFrom: "" },
      {
        name: "apps",
        path: "./apps/staging",
        dependsOn: ["infra"],
        interval: "1m",
        retryInterval: "2m",
        timeout: "5m",
        prune: true,
        force: true,
        wait: false,
        substitute: "cluster_env=staging\nreplicas=2",
        substituteFrom: "- kind: ConfigMap\n  name: cluster-vars\n  optional: true\n",
      },
    ]);
    expect(c.unknownFields).toEqual([]);
    expect(c.statusFields).toEqual(expect.arrayContaining(["complianceState", "statuses", "provisioningState", "sourceSyncedCommitId", "id", "systemData", "type"]));
    expect(fields(c.notCarried)).toEqual(["id"]);
    expect(c.needsCredential).toEqual([]);
  });

  it("maps every configuration of an ARM export and skips its other resources by name", () => {
    const result = importFromAzure(fixture("arm-export.json"));
    if (!result.ok) throw new Error(result.error);
    expect(result.skipped).toEqual([
      { name: "[parameters('managedClusters_aks_prod_name')]", type: "Microsoft.ContainerService/managedClusters" },
      { name: "flux", type: "Microsoft.KubernetesConfiguration/extensions" },
    ]);
    const [git, blob] = result.configurations;
    expect(git!.draft.source).toMatchObject({ kind: "GitRepository", url: "https://dev.azure.com/contoso/fleet/_git/platform", refType: "tag", refValue: "v1.4.0", provider: "azure", interval: "10m", timeout: "10m" });
    expect(git!.draft.kustomizations.map((k) => [k.name, k.path, k.dependsOn, k.timeout, k.wait])).toEqual([
      ["base", "./base", [], "10m", true],
      ["monitoring", "./monitoring", ["base"], "15m", true],
    ]);
    expect(fields(git!.notCarried)).toEqual(["properties.gitRepository.repositoryRef.branch", "properties.gitRepository.provider"]);
    expect(git!.unknownFields).toEqual([]);

    expect(blob!.draft).toMatchObject({ name: "", scope: "namespace", namespace: "team-a" });
    expect(blob!.draft.source).toMatchObject({ kind: "Bucket", provider: "azure", bucketName: "team-a-manifests", endpoint: "contosofleet.blob.core.windows.net", interval: "2m" });
    expect(fields(blob!.notCarried)).toEqual(["name", "properties.azureBlob.managedIdentity"]);
    expect(blob!.notCarried.find((n) => n.field === "name")?.why).toMatch(/ARM template expression/);
  });

  it("turns a Flux v1 sourceControlConfiguration into a GitRepository and a Kustomization, naming what v1 had", () => {
    const c = only(fixture("source-control-v1.json"));
    expect(c).toMatchObject({ azureKind: "sourceControlConfiguration", cluster: "arc-store-17" });
    expect(c.draft).toMatchObject({ name: "store-apps", scope: "namespace", namespace: "store-apps" });
    expect(c.draft.source).toMatchObject({ kind: "GitRepository", url: "ssh://git@github.com/contoso/store-apps.git", refType: "branch", refValue: "release", interval: "3m" });
    expect(c.draft.kustomizations).toEqual([expect.objectContaining({ name: "sync", path: "releases/prod", prune: true, wait: false, interval: "5m" })]);
    expect(fields(c.notCarried)).toEqual([
      "properties.sshKnownHostsContents",
      "properties.enableHelmOperator",
      "properties.operatorParams --registry-disable-scanning",
      "id",
    ]);
    expect(fields(c.adjusted)).toEqual(["properties", "properties.repositoryUrl", "properties.operatorParams --git-readonly"]);
    expect(c.statusFields).toEqual(expect.arrayContaining(["properties.repositoryPublicKey", "properties.complianceStatus", "properties.provisioningState"]));
    expect(c.unknownFields).toEqual([]);
    expect(c.needsCredential).toEqual([expect.stringMatching(/ssh credential/)]);
  });

  it("names every field Azure's schema does not have, at every level", () => {
    const c = only(fixture("unknown-fields.json"));
    expect(c.unknownFields.sort()).toEqual([
      "labels",
      "properties.gitRepository.recurseSubmodules",
      "properties.gitRepository.repositoryRef.ref",
      "properties.kustomizations.edge.components",
      "properties.notificationProvider",
    ]);
    expect(c.draft.kustomizations[0]).toMatchObject({ name: "edge", path: "./edge", prune: true });
  });

  it("asks for a credential where the source needs one, and never copies a protected setting", () => {
    const [https, ssh] = imported(fixture("private-git.json"));
    expect(https!.draft).toMatchObject({ scope: "namespace", namespace: "payments", suspend: true });
    expect(https!.draft.source).toMatchObject({ refType: "commit", refValue: "0123456789abcdef0123456789abcdef01234567", interval: "90s", timeout: "1m" });
    expect(fields(https!.notCarried)).toEqual([
      "gitRepository.repositoryRef.branch",
      "gitRepository.httpsUser",
      "gitRepository.httpsCACert",
      "configurationProtectedSettings.httpsKey",
    ]);
    expect(https!.needsCredential).toEqual([expect.stringMatching(/HTTPS user/), expect.stringMatching(/httpsKey/)]);
    expect(JSON.stringify(https!.draft)).not.toContain("flux-reader");

    expect(ssh!.draft.source.url).toBe("ssh://git@ssh.dev.azure.com/v3/contoso/payments/infra");
    expect(fields(ssh!.notCarried)).toEqual(["gitRepository.localAuthRef"]);
    expect(ssh!.needsCredential).toEqual([expect.stringMatching(/ssh credential/), expect.stringMatching(/localAuthRef/)]);
  });
});

describe("importFromAzure: source kinds and values", () => {
  const flux = (properties: object) => JSON.stringify({ name: "c", type: "Microsoft.KubernetesConfiguration/fluxConfigurations", properties });
  it.each([
    [
      "an OCI repository with keyless verification and workload identity",
      flux({
        sourceKind: "OCIRepository",
        ociRepository: {
          url: "oci://contoso.azurecr.io/manifests/app",
          repositoryRef: { semver: ">=1.0.0", tag: "latest" },
          layerSelector: { mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip", operation: "Extract" },
          verify: { provider: "cosign", matchOidcIdentity: [{ issuer: "^https://token.actions.githubusercontent.com$", subject: "^https://github.com/contoso/.*$" }] },
          useWorkloadIdentity: true,
        },
        kustomizations: { app: {} },
      }),
      { kind: "OCIRepository", refType: "semver", refValue: ">=1.0.0", provider: "azure", layerOperation: "extract", verifyIdentities: [{ issuer: "^https://token.actions.githubusercontent.com$", subject: "^https://github.com/contoso/.*$" }] },
      ["properties.ociRepository.repositoryRef.tag", "properties.ociRepository.useWorkloadIdentity"],
    ],
    [
      "an S3 bucket over plain http with an access key",
      flux({ sourceKind: "Bucket", bucket: { url: "http://minio.storage:9000", bucketName: "fleet", accessKey: "AKIAEXAMPLE" }, kustomizations: { app: {} } }),
      { kind: "Bucket", endpoint: "minio.storage:9000", bucketName: "fleet", insecure: true, provider: "generic" },
      ["properties.bucket.accessKey"],
    ],
    [
      "a source block that is not the source kind",
      flux({ sourceKind: "GitRepository", gitRepository: { url: "https://github.com/a/b", repositoryRef: { branch: "main" } }, bucket: { url: "https://s3.amazonaws.com", bucketName: "x" }, kustomizations: { app: {} } }),
      { kind: "GitRepository", url: "https://github.com/a/b" },
      ["properties.bucket"],
    ],
  ])("%s", (_label, text, source, notCarried) => {
    const c = only(text);
    expect(c.draft.source).toMatchObject(source);
    expect(fields(c.notCarried)).toEqual(notCarried);
    expect(JSON.stringify(c.draft)).not.toContain("AKIAEXAMPLE");
  });

  it.each([
    [0, "0s"],
    [45, "45s"],
    [3600, "1h"],
    [86400, "24h"],
    ["[parameters('interval')]", "[parameters('interval')]"],
    [null, "10m"],
  ])("syncIntervalInSeconds %j becomes %j for the wizard to check", (seconds, interval) => {
    const c = only(flux({ gitRepository: { url: "https://github.com/a/b", syncIntervalInSeconds: seconds }, kustomizations: {} }));
    expect(c.draft.source.interval).toBe(interval);
  });

  it("reads dependsOn in the early {kustomizationName} shape and lists of Kustomizations", () => {
    const c = only(flux({ gitRepository: { url: "https://github.com/a/b" }, kustomizations: [{ name: "a" }, { name: "b", dependsOn: [{ kustomizationName: "a" }], validation: "client" }] }));
    expect(c.draft.kustomizations.map((k) => [k.name, k.dependsOn])).toEqual([["a", []], ["b", ["a"]]]);
    expect(fields(c.notCarried)).toEqual(["properties.kustomizations.b.validation"]);
  });

  it("takes a REST list's value and detects configurations without a type", () => {
    const result = importFromAzure(JSON.stringify({ value: [{ name: "a", properties: { gitRepository: { url: "https://github.com/a/b" } } }, { name: "v1", properties: { repositoryUrl: "https://github.com/a/c" } }], nextLink: null }));
    expect(result.ok && result.configurations.map((c) => [c.azureName, c.azureKind])).toEqual([["a", "fluxConfiguration"], ["v1", "sourceControlConfiguration"]]);
  });
});

describe("importFromAzure: bad input gets a clear error", () => {
  const config = (i: number) => ({ name: `c${i}`, type: "Microsoft.KubernetesConfiguration/fluxConfigurations", gitRepository: { url: "https://github.com/a/b" } });
  it.each([
    ["nothing pasted", "  ", /Paste the JSON/],
    ["invalid JSON, with where", '{\n  "name": "a",\n  "gitRepository": {\n}}}', /not valid JSON at line 4, column 3/],
    ["a JSON scalar", "42", /must be an object or a list/],
    ["no configuration in it", JSON.stringify({ resources: [{ type: "Microsoft.Storage/storageAccounts", name: "s" }] }), /No Azure configuration found/],
    ["1,000 configurations", JSON.stringify(Array.from({ length: 1000 }, (_, i) => config(i))), /holds 1,000 configurations; an import may hold at most 500/],
    ["a 10 MiB JSON", JSON.stringify({ name: "big", gitRepository: { url: "https://github.com/a/b" }, padding: "x".repeat(10 * 1024 * 1024) }), /is 10\.0 MiB; an import may be at most 5\.0 MiB/],
  ])("%s", (_label, text, error) => {
    const result = importFromAzure(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });

  it("takes exactly the limits", () => {
    const atLimit = importFromAzure(JSON.stringify(Array.from({ length: MAX_AZURE_IMPORT_CONFIGURATIONS }, (_, i) => config(i))));
    expect(atLimit.ok && atLimit.configurations).toHaveLength(MAX_AZURE_IMPORT_CONFIGURATIONS);
    const base = JSON.stringify(config(1));
    const padded = `${base}${" ".repeat(MAX_AZURE_IMPORT_BYTES - base.length)}`;
    expect(importFromAzure(padded).ok).toBe(true);
    expect(importFromAzure(`${padded} `).ok).toBe(false);
  });
});
