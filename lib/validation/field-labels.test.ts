import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invalid } from "@/lib/actions/result";
import { fieldLabel, fieldMessage } from "./field-labels";

describe("messages name fields by their labels", () => {
  it("turns validation paths into the form's labels", () => {
    expect(fieldLabel("kustomizations.0.interval")).toBe("Kustomization 1 interval");
    expect(fieldLabel("helmReleases.1.values")).toBe("Helm release 2 values (YAML)");
    expect(fieldLabel("source.url")).toBe("URL");
    expect(fieldLabel("kustomizations.0.postBuild.substitute.cluster_env")).toBe("Kustomization 1 substitution cluster_env");
    expect(fieldLabel("someUnknownField")).toBe("Some unknown field");
    expect(fieldLabel("")).toBe("The form");
    expect(fieldLabel("strategy.waves.1.soakSeconds")).toBe("Wave 2 soak (seconds)");
    expect(fieldLabel("strategy.waves")).toBe("Waves");
  });

  it("an action's invalid result says labels, never internal paths", () => {
    const schema = z.object({ source: z.object({ url: z.string().min(1) }), kustomizations: z.array(z.object({ interval: z.string().min(1) })) });
    const result = schema.safeParse({ source: { url: "" }, kustomizations: [{ interval: "" }] });
    if (result.success) throw new Error("expected a failure");
    const message = invalid(result.error).message;
    expect(message).toBe("Check the highlighted fields: URL, Kustomization 1 interval.");
    expect(message).not.toContain("kustomizations.0");
  });

  it("does not repeat the label", () => {
    expect(fieldMessage("Kubeconfig", "kubeconfig is not valid YAML")).toBe("Kubeconfig is not valid YAML");
    expect(fieldMessage("Name", "must be lowercase (DNS-1123 label)")).toBe("Name: must be lowercase (DNS-1123 label)");
  });
});

describe("override fields", () => {
  it("name the override by its number and the field by its label", () => {
    expect(fieldLabel("overrides.0.clusterId")).toBe("Override 1 cluster");
    expect(fieldLabel("overrides.2.substitute.SIZE")).toBe("Override 3 substitution SIZE");
    expect(fieldLabel("overrides.1.helmValues.web")).toBe("Override 2 values for web");
    expect(fieldLabel("overrides.0.selector.matchLabels")).toBe("Override 1 label selector");
  });
});
