import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  basicsStepSchema,
  configurationSpecSchema,
  formatZodErrors,
  makeSourceStepSchema,
  targetsStepSchema,
  workloadsStepSchema,
} from "./configuration";

function errorsOf(input: unknown, schema: z.ZodType = configurationSpecSchema): Record<string, string> {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected validation to fail");
  return formatZodErrors(result.error);
}

describe("wizard step schemas", () => {
  it("validates each step alone", () => {
    expect(basicsStepSchema.parse({ name: "baseline", scope: "cluster" })).toEqual({
      name: "baseline",
      scope: "cluster",
      namespace: "flux-system",
      description: "",
      suspend: false,
    });
    expect(errorsOf({ name: "", scope: "global" }, basicsStepSchema)).toEqual({
      name: "must not be empty (DNS-1123 label)",
      scope: "must be cluster or namespace",
    });
    expect(makeSourceStepSchema().safeParse({ source: { kind: "GitRepository", url: "file:///x", ref: { type: "branch", value: "main" } } }).success).toBe(false);
    expect(makeSourceStepSchema({ allowLocalSources: true }).safeParse({ source: { kind: "Bucket", bucketName: "abc", endpoint: "localhost:9000" } }).success).toBe(true);
    expect(errorsOf({ kustomizations: [{ name: "a", dependsOn: ["b"] }] }, workloadsStepSchema)).toEqual({
      "kustomizations.0.dependsOn.0": "must name another Kustomization in this configuration",
    });
    expect(targetsStepSchema.safeParse({ targets: { clusterIds: ["c1", "c2"] } }).success).toBe(true);
  });

  it("reports a missing required field as required", () => {
    expect(errorsOf({ scope: "cluster" })).toMatchObject({ name: "is required" });
  });
});
