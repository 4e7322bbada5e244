import { describe, expect, it } from "vitest";
import { complianceEvent, healthEvent } from "./emit";

describe("which changes are events", () => {
  it("compliance: entering Non-Compliant or Unknown, regaining Compliant; nothing for a first sighting or no change", () => {
    expect(complianceEvent("Compliant", "Non-Compliant")).toBe("configuration.non-compliant");
    expect(complianceEvent("Pending", "Unknown")).toBe("configuration.unknown");
    expect(complianceEvent("Non-Compliant", "Compliant")).toBe("configuration.compliant");
    expect(complianceEvent("Unknown", "Compliant")).toBe("configuration.compliant");
    expect(complianceEvent("Pending", "Compliant")).toBeUndefined();
    expect(complianceEvent("Non-Compliant", "Non-Compliant")).toBeUndefined();
    expect(complianceEvent(undefined, "Non-Compliant")).toBeUndefined();
  });

  it("health: reachable to unreachable and back only", () => {
    expect(healthEvent("reachable", "unreachable")).toBe("cluster.unreachable");
    expect(healthEvent("unreachable", "reachable")).toBe("cluster.reachable");
    expect(healthEvent("unknown", "unreachable")).toBeUndefined();
    expect(healthEvent(undefined, "reachable")).toBeUndefined();
    expect(healthEvent("unreachable", "unreachable")).toBeUndefined();
  });
});
