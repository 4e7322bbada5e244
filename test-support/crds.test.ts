// The CRDs behave like a real Flux/Argo CD installation: names, printer
// columns, labels, structural pruning, validation and server-side apply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./cluster";
import { FLUX_VERSION } from "./crds";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";

const GIT_REPOS = "/apis/source.toolkit.fluxcd.io/v1/namespaces/default/gitrepositories";

type CrdNames = { shortNames?: string[]; plural: string; singular: string; kind: string };
type CrdVersion = { name: string; subresources?: { status?: object }; additionalPrinterColumns: { name: string; jsonPath: string }[] };

describe("CRDs", () => {
  let cluster: TestCluster;
  let rest: KubeRest;

  beforeAll(async () => {
    cluster = await startCluster({ argo: true });
    rest = cluster.rest();
  });
  afterAll(() => cluster?.stop());

  const crd = async (name: string): Promise<{ labels: Record<string, string>; names: CrdNames; version: CrdVersion }> => {
    const live = (await rest.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, name)) as KubeObject;
    const spec = live.spec as { names: CrdNames; versions: CrdVersion[] };
    return { labels: live.metadata.labels ?? {}, names: spec.names, version: spec.versions[0] as CrdVersion };
  };

  it.each([
    ["gitrepositories.source.toolkit.fluxcd.io", "v1", ["gitrepo"], ["URL", "Age", "Ready", "Status"]],
    ["ocirepositories.source.toolkit.fluxcd.io", "v1", ["ocirepo"], ["URL", "Ready", "Status", "Age"]],
    ["buckets.source.toolkit.fluxcd.io", "v1", undefined, ["Endpoint", "Age", "Ready", "Status"]],
    ["helmrepositories.source.toolkit.fluxcd.io", "v1", ["helmrepo"], ["URL", "Age", "Ready", "Status"]],
    ["kustomizations.kustomize.toolkit.fluxcd.io", "v1", ["ks"], ["Age", "Ready", "Status"]],
    ["helmreleases.helm.toolkit.fluxcd.io", "v2", ["hr"], ["Age", "Ready", "Status"]],
    ["applications.argoproj.io", "v1alpha1", ["app", "apps"], ["Sync Status", "Health Status", "Revision", "Project"]],
  ])("%s serves %s with short names %j and columns %j", async (name, version, shortNames, columns) => {
    const { names, version: served } = await crd(name);
    expect(served.name).toBe(version);
    expect(names.shortNames).toEqual(shortNames);
    expect(served.additionalPrinterColumns.map((c) => c.name)).toEqual(columns);
  });

  it("labels the GitRepository CRD with the Flux version, as the portal reads it", async () => {
    const { labels } = await crd("gitrepositories.source.toolkit.fluxcd.io");
    expect(labels["app.kubernetes.io/part-of"]).toBe("flux");
    expect(labels["app.kubernetes.io/version"]).toBe(FLUX_VERSION);
    expect(FLUX_VERSION).toMatch(/^v2\.\d+\.\d+$/);
  });

  it("has a status subresource on Flux kinds but not on Argo CD Applications (as upstream)", async () => {
    expect((await crd("kustomizations.kustomize.toolkit.fluxcd.io")).version.subresources?.status).toBeDefined();
    expect((await crd("applications.argoproj.io")).version.subresources?.status).toBeUndefined();
    // So a status sent with the object is dropped for Flux kinds...
    const created = await rest.json<KubeObject>("POST", GIT_REPOS, {
      body: { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "with-status" }, spec: { url: "https://example.com/x.git", interval: "1m" }, status: { observedGeneration: 7 } },
    });
    // ...and Flux's schema default applies instead: observedGeneration -1 until a controller looked.
    expect(created.status).toEqual({ observedGeneration: -1 });
  });

  it("prunes misspelled fields on create and defaults like Flux (read back)", async () => {
    const created = await rest.json<KubeObject>("POST", GIT_REPOS, {
      body: {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "typo" },
        spec: { url: "https://example.com/x.git", interval: "1m", refference: { branch: "main" }, ref: { brnch: "dev" }, secretRef: { name: "s", key: "k" } },
      },
    });
    const readBack = (await rest.get("source.toolkit.fluxcd.io/v1", "GitRepository", "default", "typo")) as KubeObject;
    for (const obj of [created, readBack]) {
      expect(obj.spec).toEqual({ url: "https://example.com/x.git", interval: "1m", ref: {}, secretRef: { name: "s" }, timeout: "60s" });
    }
  });

  it("prunes misspelled fields in merge patches too", async () => {
    const patched = await rest.mergePatch(
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", namespace: "default", name: "typo" },
      { spec: { intervall: "5m", suspend: true } },
    );
    expect(patched.spec).toMatchObject({ interval: "1m", suspend: true });
    expect(patched.spec).not.toHaveProperty("intervall");
  });

  it("refuses unknown fields on server-side apply; v1.20 ignores fieldValidation", async () => {
    const obj = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "ssa-typo", namespace: "default" },
      spec: { url: "https://example.com/x.git", interval: "1m", refference: { branch: "main" } },
    };
    // Kubernetes 1.20 answers 500 "failed to create typed patch object" (newer servers: 400 in Strict mode).
    const apply = rest.apply(obj, "test", { force: true });
    await expect(apply).rejects.toMatchObject({ status: 500, message: expect.stringContaining(".spec.refference: field not declared in schema") });
    // fieldValidation=Strict (Kubernetes >= 1.25) is not understood by 1.20: a create still prunes silently.
    const strict = await rest.raw("POST", `${GIT_REPOS}?fieldValidation=Strict`, { body: obj });
    expect(strict.status).toBe(201);
    expect(JSON.parse(strict.text).spec).not.toHaveProperty("refference");
  });

  it.each([
    ["GitRepository url scheme", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", spec: { url: "ftp://example.com/x", interval: "1m" } }, "spec.url"],
    ["GitRepository interval format", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", spec: { url: "https://x", interval: "10 minutes" } }, "spec.interval"],
    ["GitRepository required interval", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", spec: { url: "https://x" } }, "spec.interval"],
    ["OCIRepository url scheme", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository", spec: { url: "https://ghcr.io/x", interval: "1m" } }, "spec.url"],
    ["Kustomization sourceRef kind enum", { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", spec: { interval: "1m", prune: true, sourceRef: { kind: "HelmRepository", name: "x" } } }, "spec.sourceRef.kind"],
    ["Kustomization required prune", { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", spec: { interval: "1m", sourceRef: { kind: "GitRepository", name: "x" } } }, "spec.prune"],
    ["HelmRelease driftDetection mode enum", { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", spec: { interval: "1m", driftDetection: { mode: "on" } } }, "spec.driftDetection.mode"],
    ["Application required project", { apiVersion: "argoproj.io/v1alpha1", kind: "Application", spec: { destination: { namespace: "x" } } }, "spec.project"],
  ])("rejects an invalid %s", async (_, partial, field) => {
    const body = { ...partial, metadata: { name: "invalid", namespace: "default" } } as KubeObject;
    const error = await rest.apply(body, "test", { dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ status: 422, reason: "Invalid", message: expect.stringContaining(field) });
  });

  it("documents a quirk of this kube-apiserver build: \"\" in a custom resource is read as null", async () => {
    // Real clusters store empty strings; this envtest build rejects them (core kinds are unaffected).
    // Tests and stand-ins must omit empty fields rather than send "".
    const error = await rest
      .apply({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "empty", namespace: "default" }, spec: { url: "https://x", interval: "1m", ignore: "" } }, "test", { dryRun: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, message: expect.stringContaining('spec.ignore: Invalid value: "null"') });
    const cm = await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "empty", namespace: "default" }, data: { a: "" } }, "test", { dryRun: true });
    expect(cm.data).toEqual({ a: "" });
  });

  it("keeps free-form JSON only where Flux has it (HelmRelease values)", async () => {
    const hr = await rest.apply(
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "podinfo", namespace: "default" },
        spec: { interval: "5m", chart: { spec: { chart: "podinfo", sourceRef: { kind: "HelmRepository", name: "podinfo" } } }, values: { replicaCount: 2, ingress: { enabled: true } } },
      },
      "test",
    );
    expect(hr.spec).toMatchObject({ values: { replicaCount: 2, ingress: { enabled: true } }, chart: { spec: { version: "*", reconcileStrategy: "ChartVersion" } } });
  });
});
