import { describe, expect, it } from "vitest";
import { handOverFields, mergeFieldSets } from "./field-handover";

const now = new Date("2026-12-01T22:00:00.123Z");

describe("handOverFields", () => {
  it("renames the old manager's Apply entry when the new manager owns nothing yet", () => {
    const entries = [
      { manager: "fleetline", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:path": {} } } },
      { manager: "kustomize-controller", operation: "Update", subresource: "status", fieldsV1: { "f:status": {} } },
    ];
    expect(handOverFields(entries, "fleetline", "fleetline/c1", now)).toEqual([
      entries[1],
      { manager: "fleetline/c1", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:path": {} } }, time: "2026-12-01T22:00:00Z" },
    ]);
  });

  it("folds the old manager's fields into the new manager's entry (both own after a shared apply)", () => {
    const entries = [
      { manager: "fleetline", operation: "Apply", fieldsV1: { "f:spec": { "f:path": {}, "f:targetNamespace": {} } } },
      { manager: "fleetline/c1", operation: "Apply", fieldsV1: { "f:spec": { "f:path": {}, "f:interval": {} } } },
      { manager: "fleetline", operation: "Update", fieldsV1: { "f:spec": { "f:suspend": {} } } },
    ];
    const out = handOverFields(entries, "fleetline", "fleetline/c1", now)!;
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual(entries[2]);
    expect(out[1]?.fieldsV1).toEqual({ "f:spec": { "f:path": {}, "f:interval": {}, "f:targetNamespace": {} } });
  });

  it("says there is nothing to do when the old manager has no Apply entry", () => {
    expect(handOverFields([{ manager: "fleetline/c1", operation: "Apply" }], "fleetline", "fleetline/c1", now)).toBeUndefined();
    expect(handOverFields(undefined, "fleetline", "fleetline/c1", now)).toBeUndefined();
  });
});

describe("mergeFieldSets", () => {
  it("unions nested sets", () => {
    expect(mergeFieldSets({ a: { b: {} } }, { a: { c: {} }, d: {} })).toEqual({ a: { b: {}, c: {} }, d: {} });
  });
});
