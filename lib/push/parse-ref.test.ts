import { describe, expect, it } from "vitest";
import { describeRef } from "@/lib/reconcilers/kinds";
import { parseRef } from "./apply";

describe("a recorded object back into a reference", () => {
  it("reads what describeRef wrote, namespaced or not, and nothing else", () => {
    for (const ref of [{ kind: "Kustomization", namespace: "flux-system", name: "web-apps" }, { kind: "Namespace", name: "apps" }]) expect(parseRef(describeRef(ref))).toEqual(ref);
    expect(parseRef("Kustomization")).toBeUndefined();
    expect(parseRef("Kustomization a/b/c")).toBeUndefined();
    expect(parseRef("Kustomization  flux-system/x")).toBeUndefined();
  });
});
