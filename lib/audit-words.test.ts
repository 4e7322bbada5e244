import { describe, expect, it } from "vitest";
import { auditSummary, auditTargetName, readableDetails, type AuditNames } from "./audit-words";

const CLUSTER = "0b4c2a1e-9f3d-4c55-8a21-7f0e6d5c4b3a";
const CONFIG = "5d2e7c8a-1b3f-4e6d-9a0c-2f4e6a8c0b1d";
const names: AuditNames = { clusters: new Map([[CLUSTER, "prod-eu-1"]]), configurations: new Map([[CONFIG, "podinfo"]]) };

describe("the audit log in words", () => {
  it("names the target instead of its UUID", () => {
    expect(auditTargetName({ targetId: CONFIG }, names)).toBe("podinfo");
    expect(auditTargetName({ targetId: "someone@example.com" }, names)).toBe("someone@example.com");
  });

  it("says what happened, per action, with names", () => {
    const entry = (action: string, details: object, outcome = "success") => ({ action, targetType: "configuration", targetId: CONFIG, outcome, details: JSON.stringify(details) });
    expect(auditSummary(entry("configuration.push", { configuration: "podinfo", version: 3, clusters: 2, applied: 1, removed: 0, failed: 1, interrupted: 0 }), names)).toBe("Pushed v3 of podinfo to 2 clusters: 1 applied, 1 failed");
    expect(auditSummary(entry("configuration.reconcile", { clusterId: CLUSTER, withSource: true, verb: "reconcile" }), names)).toBe("Asked prod-eu-1 to reconcile podinfo (with the source)");
    expect(auditSummary(entry("configuration.suspend", { clusterId: "all", clusters: 2 }), names)).toBe("Suspended podinfo on every target");
    expect(auditSummary(entry("configuration.resume", { clusterId: CLUSTER }, "denied"), names)).toBe("Resumed podinfo on prod-eu-1 (refused: no permission)");
    const waiver = { policy: "K8sRequiredLabels/owner", selector: "env=prod", expiresAt: "2027-01-31T00:00:00.000Z", holdsThrough: "2027-01-30" };
    expect(auditSummary(entry("waiver.request", waiver), names)).toBe("Asked to accept the risk of K8sRequiredLabels/owner on env=prod until 2027-01-30 (inclusive)");
    expect(auditSummary(entry("waiver.approve", waiver), names)).toBe("Approved the risk acceptance of K8sRequiredLabels/owner on env=prod");
    expect(auditSummary(entry("api.clusters.list", { via: "API token deploy-pipeline", method: "GET" }), names)).toBe("API: clusters.list with API token deploy-pipeline");
    expect(auditSummary(entry("waiver.expire", waiver), names)).toBe("The risk acceptance expired for K8sRequiredLabels/owner on env=prod");
  });

  it("shows the details whole, each known id followed by its name", () => {
    const text = readableDetails(JSON.stringify({ clusterId: CLUSTER, withSource: false }), names);
    expect(text).toContain(`"clusterId": "prod-eu-1 (${CLUSTER})"`);
    expect(text.split("\n").length).toBeGreaterThan(2);
  });
});
