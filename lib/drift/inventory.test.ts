import { describe, expect, it } from "vitest";
import { fluxFixture } from "@/test-support/status-fixtures";
import { inventoryIdOf, parseInventoryId } from "./inventory";

describe("inventory ids", () => {
  it("parses the ids kustomize-controller writes, ':' in RBAC names encoded as '__'", () => {
    const entries = (fluxFixture("ks-inventory-rbac-colon").object.status?.inventory as { entries: { id: string; v: string }[] }).entries;
    expect(entries.map(parseInventoryId)).toEqual([
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", namespace: "", name: "system:fleet-reader", id: "_system__fleet-reader_rbac.authorization.k8s.io_ClusterRole" },
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", namespace: "", name: "system:fleet-reader", id: "_system__fleet-reader_rbac.authorization.k8s.io_ClusterRoleBinding" },
      { apiVersion: "v1", kind: "Service", namespace: "podinfo", name: "podinfo", id: "podinfo_podinfo__Service" },
    ]);
  });

  it("builds them the same way: '__' only for the four RBAC kinds, as cli-utils does", () => {
    expect(inventoryIdOf({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "system:fleet-reader" } })).toBe("_system__fleet-reader_rbac.authorization.k8s.io_ClusterRole");
    expect(inventoryIdOf({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "a:b", namespace: "ns" } })).toBe("ns_a__b_rbac.authorization.k8s.io_RoleBinding");
    expect(inventoryIdOf({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: "apps" } })).toBe("apps_web__ConfigMap");
    expect(inventoryIdOf({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" } })).toBe("apps_web_apps_Deployment");
  });

  it("round-trips, and skips what the controllers' parser would refuse", () => {
    const id = inventoryIdOf({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "x:y:z", namespace: "ns" } });
    expect(parseInventoryId({ id, v: "v1" })).toMatchObject({ name: "x:y:z", namespace: "ns", kind: "Role" });
    expect(parseInventoryId({ id: "no-separators", v: "v1" })).toBeUndefined();
    expect(parseInventoryId({ id: "ns_only", v: "v1" })).toBeUndefined();
    expect(parseInventoryId({ id: "ns_name_group_Kind", v: "" })).toBeUndefined();
  });
});
