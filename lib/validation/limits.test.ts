import { describe, expect, it } from "vitest";
import { checkBatchSize, checkResourceId, MAX_CLUSTERS_PER_PUSH, pushClusterIdsSchema } from "./limits";

describe("push batch limits (hardening case 9)", () => {
  it("accepts a batch within the limit", () => {
    const ids = Array.from({ length: MAX_CLUSTERS_PER_PUSH }, (_, index) => `cluster-${index}`);
    expect(pushClusterIdsSchema.safeParse(ids).success).toBe(true);
  });

  it("rejects a 10,000-cluster push with a clear limit error", () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `cluster-${index}`);
    const result = pushClusterIdsSchema.safeParse(ids);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: [],
      message: "must name at most 5,000 clusters per request (got 10,000): split the request or use a label selector",
    });
  });

  it("rejects duplicates and malformed ids by index", () => {
    const result = pushClusterIdsSchema.safeParse(["a", "b", "a", "../x"]);
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["3", "must contain only letters, digits, '_' and '-' (id)"],
      ["2", "is listed twice"],
    ]);
  });

  it("formats the plain check", () => {
    expect(checkBatchSize(3, 5, "clusters")).toBeUndefined();
    expect(checkBatchSize(6, 5, "clusters")).toBe("must name at most 5 clusters per request (got 6): split the request or use a label selector");
    expect(checkResourceId("")).toBe("must not be empty");
    expect(checkResourceId("x".repeat(65))).toBe("must be at most 64 characters");
  });
});
