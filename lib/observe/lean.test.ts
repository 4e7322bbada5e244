import { describe, expect, it } from "vitest";
import type { KubeObject } from "@/lib/k8s/client";
import { hasFastProperties } from "@/test-support/v8-natives";
import { lean } from "./watches";

// As the API server sends a custom resource Flux has written status on (its keys sorted, as it
// serializes an unstructured object): the apply entry and the status write, one of a server before
// 1.22 (no subresource named) and one after.
const metadata = () =>
  JSON.parse(
    JSON.stringify({
      managedFields: [
        { apiVersion: "kustomize.toolkit.fluxcd.io/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:interval": {} } }, manager: "fleetline", operation: "Apply", time: "2026-12-06T10:00:00Z" },
        { apiVersion: "kustomize.toolkit.fluxcd.io/v1", fieldsType: "FieldsV1", fieldsV1: { "f:status": { "f:conditions": {} } }, manager: "kustomize-controller", operation: "Update", time: "2026-12-06T10:00:05Z" },
        { apiVersion: "kustomize.toolkit.fluxcd.io/v1", fieldsType: "FieldsV1", fieldsV1: { "f:status": { "f:inventory": {} } }, manager: "kustomize-controller", operation: "Update", subresource: "status", time: "2026-12-06T10:00:06Z" },
      ],
      name: "bench",
      namespace: "flux-system",
    }),
  ) as KubeObject["metadata"];

describe("lean (what the watch cache keeps of an object's metadata)", () => {
  it("drops the status write's field set and keeps the rest of the entry", () => {
    const [apply, before122, after122] = lean(metadata()).managedFields as Record<string, unknown>[];
    expect(apply).toMatchObject({ manager: "fleetline", fieldsV1: { "f:spec": { "f:interval": {} } } });
    expect(before122).toEqual({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", fieldsType: "FieldsV1", manager: "kustomize-controller", operation: "Update", time: "2026-12-06T10:00:05Z" });
    expect(after122).toEqual({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", fieldsType: "FieldsV1", manager: "kustomize-controller", operation: "Update", subresource: "status", time: "2026-12-06T10:00:06Z" });
  });

  it("leaves the entry it cut in V8's fast layout, not a dictionary (a cached object per kind and cluster lives for hours)", () => {
    for (const entry of lean(metadata()).managedFields as object[]) expect(hasFastProperties(entry)).toBe(true);
  });
});
