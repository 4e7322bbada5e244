import { describe, expect, it } from "vitest";
import { computePruneSet, configurationSelector, describeRef, objectPath } from "./kinds";

const ref = (kind: string, name: string, namespace = "flux-system") => ({ kind, name, namespace });

describe("computePruneSet", () => {
  const rendered = [
    { kind: "Namespace", name: "apps" },
    ref("Secret", "demo-auth"),
    ref("GitRepository", "demo"),
    ref("Kustomization", "demo-infra"),
    ref("Kustomization", "demo-apps"),
  ];

  it("keeps everything the version still renders", () => {
    expect(computePruneSet(rendered, rendered)).toEqual([]);
  });

  it("deletes a dropped Kustomization, the Secret of a removed credential and a source whose kind changed, workloads first", () => {
    const live = [ref("Secret", "demo-auth"), ref("OCIRepository", "demo"), ref("Kustomization", "demo-infra"), ref("Kustomization", "demo-old"), ref("HelmRelease", "demo-web")];
    const next = [ref("GitRepository", "demo"), ref("Kustomization", "demo-infra")];
    expect(computePruneSet(live, next).map(describeRef)).toEqual([
      "HelmRelease flux-system/demo-web",
      "Kustomization flux-system/demo-old",
      "OCIRepository flux-system/demo",
      "Secret flux-system/demo-auth",
    ]);
  });

  it("deletes objects left in the old namespace when the namespace changed", () => {
    const live = [ref("GitRepository", "demo", "old-ns"), ref("GitRepository", "demo", "new-ns")];
    expect(computePruneSet(live, [ref("GitRepository", "demo", "new-ns")]).map(describeRef)).toEqual(["GitRepository old-ns/demo"]);
  });

  it("deletes the other reconciler's objects when a cluster's reconciler changed, Applications first", () => {
    const live = [ref("Secret", "demo-auth"), ref("Application", "demo-infra", "argocd"), ref("Secret", "demo-auth", "argocd")];
    expect(computePruneSet(live, rendered).map(describeRef)).toEqual(["Application argocd/demo-infra", "Secret argocd/demo-auth"]);
  });

  it("never prunes a Namespace or a kind Fleetline does not write", () => {
    const live = [{ kind: "Namespace", name: "apps" }, ref("ConfigMap", "x")];
    expect(computePruneSet(live, [])).toEqual([]);
  });
});

describe("addressing", () => {
  it("builds paths and selectors for Fleetline's kinds", () => {
    expect(objectPath(ref("Kustomization", "demo-apps"))).toBe("/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/demo-apps");
    expect(objectPath(ref("Application", "demo-apps", "argocd"))).toBe("/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/demo-apps");
    expect(objectPath({ kind: "Namespace", name: "apps", namespace: "ignored" })).toBe("/api/v1/namespaces/apps");
    expect(configurationSelector("demo")).toBe("app.kubernetes.io/managed-by=fleetline,fleetline.io/configuration=demo");
    expect(() => objectPath(ref("Deployment", "x"))).toThrow(/does not write/);
  });
});
