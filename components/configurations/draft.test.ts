import { describe, expect, it } from "vitest";
import { configurationSpecSchema } from "@/lib/validation/configuration";
import { emptyDraft, fromSpec, toSpecInput } from "./draft";

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
