import { describe, expect, it } from "vitest";
import { fromConstraint, MAX_MESSAGE_LENGTH, MAX_VIOLATIONS_PER_POLICY, ReportAggregator } from "./aggregate";

describe("Gatekeeper constraints", () => {
  it("take totalViolations as the count, the spec's action as the default, and no audit as not audited", () => {
    const audited = fromConstraint({
      kind: "K8sRequiredLabels",
      metadata: { name: "owner" },
      spec: { enforcementAction: "warn" },
      status: { auditTimestamp: "2026-12-02T08:00:00Z", totalViolations: 57, violations: [{ kind: "Namespace", name: "default", message: "you must provide labels: {\"owner\"}" }] },
    });
    expect(audited).toMatchObject({ policy: "K8sRequiredLabels/owner", fail: 57, pass: 0, enforcementAction: "warn", auditedAt: new Date("2026-12-02T08:00:00Z") });
    expect(audited.violations).toEqual([expect.objectContaining({ resourceKind: "Namespace", resourceName: "default", resourceNamespace: null, enforcementAction: "warn" })]);
    expect(fromConstraint({ kind: "K8sRequiredLabels", metadata: { name: "clean" }, status: { auditTimestamp: "2026-12-02T08:00:00Z", totalViolations: 0 } })).toMatchObject({ pass: 1, fail: 0, enforcementAction: "deny" });
    expect(fromConstraint({ kind: "K8sRequiredLabels", metadata: { name: "new" }, status: { byPod: [] } as never })).toMatchObject({ pass: 0, fail: 0, auditedAt: null });
  });

  it("survive hostile status: negative or non-numeric counts, huge messages, a bad timestamp", () => {
    const odd = fromConstraint({ kind: 7, metadata: { name: "x" }, status: { auditTimestamp: "yesterday", totalViolations: -3, violations: [{ message: "m".repeat(100_000) }] } });
    expect(odd).toMatchObject({ policy: "Constraint/x", fail: 0, auditedAt: null });
    expect(odd.violations[0]?.message).toHaveLength(MAX_MESSAGE_LENGTH);
  });
});

describe("policy reports", () => {
  const result = (policy: string, r: string, extra: Record<string, unknown> = {}) => ({ source: "kyverno", policy, rule: "check", result: r, timestamp: { seconds: 1_764_662_400, nanos: 0 }, ...extra });

  it("count every result by policy, keep the highest failing severity, and take the resource from the scope or the result", () => {
    const aggregator = new ReportAggregator("policyreport");
    aggregator.add({ scope: { kind: "ConfigMap", namespace: "shop", name: "web" }, results: [result("require-team", "fail", { severity: "medium" }), result("no-latest", "pass")] });
    aggregator.add({ metadata: { namespace: "shop" }, results: [result("require-team", "fail", { severity: "high", resources: [{ kind: "Deployment", namespace: "shop", name: "api" }] }), result("require-team", "skip"), result("require-team", "bogus")] });
    const { policies, results, truncated } = aggregator.done();
    expect(results).toBe(5);
    expect(truncated).toBe(false);
    const team = policies.find((p) => p.policy === "require-team")!;
    expect(team).toMatchObject({ fail: 2, skip: 1, pass: 0, severity: "high", auditedAt: new Date(1_764_662_400_000) });
    expect(team.violations.map((v) => `${v.resourceKind} ${v.resourceNamespace}/${v.resourceName}`)).toEqual(["ConfigMap shop/web", "Deployment shop/api"]);
    expect(policies.find((p) => p.policy === "no-latest")).toMatchObject({ pass: 1, fail: 0, severity: null, violations: [] });
  });

  it("keep at most the cap of violations per policy while counting all, and say they were cut", () => {
    const aggregator = new ReportAggregator("openreports");
    aggregator.add({ results: Array.from({ length: 500 }, () => result("image-scan", "fail")) });
    const { policies, truncated } = aggregator.done();
    expect(policies[0]).toMatchObject({ fail: 500 });
    expect(policies[0]?.violations).toHaveLength(MAX_VIOLATIONS_PER_POLICY);
    expect(truncated).toBe(true);
  });
});
