import { describe, expect, it } from "vitest";
import { complianceEvent, driftChange, driftEntered, healthEvent, waiverExpiring } from "./emit";

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

  it("drift: only entering it (a first sighting, drift that stays or clears, an unknown value say nothing)", () => {
    expect(driftEntered(false, true)).toBe(true);
    expect(driftEntered(true, true)).toBe(false);
    expect(driftEntered(true, false)).toBe(false);
    expect(driftEntered(undefined, true)).toBe(false);
    expect(driftEntered(false, undefined)).toBe(false);
    expect(driftEntered(false, false)).toBe(false);
  });

  it("drift and waiver events carry their own dedupe keys and link to the tab that shows them", () => {
    const at = new Date();
    expect(driftChange("c1", "cfg1", "2 objects differ from the spec", at)).toMatchObject({
      type: "drift.detected",
      dedupeKey: "drift/cfg1/c1",
      clusterId: "c1",
      configurationId: "cfg1",
      link: "/configurations/cfg1?tab=drift&cluster=c1",
    });
    expect(waiverExpiring("w1", "K8sRequiredLabels/x holds through 2026-12-04", at)).toMatchObject({ type: "waiver.expiring", dedupeKey: "waiver/w1", link: "/compliance?tab=waivers" });
  });
});
