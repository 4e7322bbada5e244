import { describe, expect, it } from "vitest";
import { gitHttpsInput } from "@/lib/reconcilers/flux/test-fixtures";
import { cachedRenderer, renderFor } from "./render";

describe("renderFor", () => {
  it("renders Flux objects for Flux and Applications for Argo CD, from one input", () => {
    expect(renderFor("flux", gitHttpsInput).map((o) => o.kind)).toEqual(["Secret", "GitRepository", "Kustomization", "Kustomization"]);
    expect(renderFor("argocd", gitHttpsInput).map((o) => o.kind)).toEqual(["Secret", "Application", "Application"]);
  });
});

describe("cachedRenderer", () => {
  it("renders at most once per reconciler, failures included", () => {
    const calls: string[] = [];
    const render = cachedRenderer((reconciler) => {
      calls.push(reconciler);
      return reconciler === "argocd" ? "cannot render" : [reconciler];
    });
    expect([render("flux"), render("argocd"), render("flux"), render("argocd")]).toEqual([["flux"], "cannot render", ["flux"], "cannot render"]);
    expect(calls).toEqual(["flux", "argocd"]);
  });
});
