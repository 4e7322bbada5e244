import { describe, expect, it } from "vitest";
import { groupVersionPath, resourcePath } from "./resource-path";

describe("resourcePath", () => {
  it.each([
    [{ apiVersion: "v1", plural: "namespaces" }, "/api/v1/namespaces"],
    [{ apiVersion: "v1", plural: "configmaps", namespace: "default", name: "demo" }, "/api/v1/namespaces/default/configmaps/demo"],
    [{ apiVersion: "apps/v1", plural: "deployments", namespace: "flux-system" }, "/apis/apps/v1/namespaces/flux-system/deployments"],
    [
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", plural: "gitrepositories", namespace: "flux-system", name: "podinfo" },
      "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/podinfo",
    ],
    [{ apiVersion: "rbac.authorization.k8s.io/v1", plural: "clusterroles", name: "system:viewer" }, "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aviewer"],
  ])("%j -> %s", (ref, path) => expect(resourcePath(ref)).toBe(path));

  it.each([
    { apiVersion: "v1", plural: "configmaps", namespace: "default", name: ".." },
    { apiVersion: "v1", plural: "configmaps", namespace: "../kube-system", name: "x" },
    { apiVersion: "v1", plural: "configmaps", name: "" },
    { apiVersion: "a/b/c", plural: "x" },
    { apiVersion: "", plural: "x" },
  ])("refuses path-escaping or malformed parts %j", (ref) => {
    expect(() => resourcePath(ref)).toThrow(RangeError);
  });

  it("maps group/version to the discovery path", () => {
    expect(groupVersionPath("v1")).toBe("/api/v1");
    expect(groupVersionPath("helm.toolkit.fluxcd.io/v2")).toBe("/apis/helm.toolkit.fluxcd.io/v2");
  });
});
