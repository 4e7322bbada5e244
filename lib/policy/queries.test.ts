import { describe, expect, it } from "vitest";
import { policyState } from "./queries";

describe("policy state", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);

  it("fails on a failing or erroring result, passes with warnings only, and is not audited without an audit time", () => {
    expect(policyState({ engine: "gatekeeper", auditedAt: at(1), fail: 3, error: 0 }, now)).toBe("fail");
    expect(policyState({ engine: "policyreport", auditedAt: at(1), fail: 0, error: 1 }, now)).toBe("fail");
    expect(policyState({ engine: "policyreport", auditedAt: at(1), fail: 0, error: 0 }, now)).toBe("pass");
    expect(policyState({ engine: "gatekeeper", auditedAt: null, fail: 0, error: 0 }, now)).toBe("not-audited");
  });

  it("is stale, not passing (nor failing), once the audit is older than the engine's few intervals", () => {
    // Gatekeeper: 5 minutes (five 60 s audits); reports: 3 hours (three hourly background scans).
    expect(policyState({ engine: "gatekeeper", auditedAt: at(6), fail: 0, error: 0 }, now)).toBe("stale");
    expect(policyState({ engine: "gatekeeper", auditedAt: at(6), fail: 9, error: 0 }, now)).toBe("stale");
    expect(policyState({ engine: "openreports", auditedAt: at(60), fail: 0, error: 0 }, now)).toBe("pass");
    expect(policyState({ engine: "openreports", auditedAt: at(181), fail: 0, error: 0 }, now)).toBe("stale");
  });
});

describe("accepted risk", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");
  it("replaces failing only: a stale, unaudited or passing result stays what it is under a waiver", () => {
    const at = new Date(now - 60_000);
    expect(policyState({ engine: "gatekeeper", auditedAt: at, fail: 2, error: 0 }, now, true)).toBe("accepted");
    expect(policyState({ engine: "gatekeeper", auditedAt: at, fail: 0, error: 0 }, now, true)).toBe("pass");
    expect(policyState({ engine: "gatekeeper", auditedAt: new Date(now - 3_600_000), fail: 2, error: 0 }, now, true)).toBe("stale");
    expect(policyState({ engine: "gatekeeper", auditedAt: null, fail: 0, error: 0 }, now, () => true)).toBe("not-audited");
  });
});
