import { describe, expect, it } from "vitest";
import { changedPaths } from "./diff";

const live = {
  metadata: {
    name: "demo",
    resourceVersion: "41",
    managedFields: [{ manager: "fleetline" }],
    labels: { "app.kubernetes.io/managed-by": "fleetline" },
    annotations: { "fleetline.io/version": "1", "fleetline.io/configuration-id": "c1" },
  },
  spec: { interval: "10m", ref: { branch: "main" }, url: "https://example.com/a" },
  status: { conditions: [] },
};

describe("changedPaths", () => {
  it("ignores server-managed metadata, status and the version annotation", () => {
    const dryRun = { ...live, metadata: { ...live.metadata, resourceVersion: "42", annotations: { ...live.metadata.annotations, "fleetline.io/version": "2" } }, status: { conditions: [{ type: "Ready" }] } };
    expect(changedPaths(live, dryRun)).toEqual([]);
  });

  it("lists changed leaves by path", () => {
    const dryRun = { ...live, spec: { ...live.spec, interval: "5m", ref: { tag: "v1" } } };
    expect(changedPaths(live, dryRun)).toEqual(["spec.interval", "spec.ref.branch", "spec.ref.tag"]);
  });

  it("names Secret keys without their values", () => {
    const secret = { metadata: {}, type: "Opaque", data: { username: "YQ==", password: "Yg==" } };
    const paths = changedPaths(secret, { ...secret, data: { username: "YQ==", password: "Yw==" } });
    expect(paths).toEqual(["data.password"]);
    expect(JSON.stringify(paths)).not.toContain("Yw==");
  });

  it("reports label changes under metadata", () => {
    expect(changedPaths(live, { ...live, metadata: { ...live.metadata, labels: { team: "a" } } })).toEqual([
      "metadata.labels.app.kubernetes.io/managed-by",
      "metadata.labels.team",
    ]);
  });
});
