import { describe, expect, it } from "vitest";
import { foreignChanges, ownedPaths, ownersOf, type ManagedFieldsEntry } from "./managed-fields";

const flux: ManagedFieldsEntry = {
  manager: "kustomize-controller",
  operation: "Apply",
  time: "2025-06-01T10:00:00Z",
  fieldsV1: { "f:data": { "f:message": {}, "f:replicas": {} }, "f:metadata": { "f:labels": { "f:app": {} } } },
};
const edit: ManagedFieldsEntry = { manager: "kubectl-edit", operation: "Update", time: "2025-06-01T10:05:00Z", fieldsV1: { "f:data": { "f:message": {} } } };

describe("ownersOf", () => {
  it("finds the managers of a field, a map key, and an atomic list", () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: "fleetline", operation: "Apply", fieldsV1: { "f:spec": { "f:interval": {}, "f:dependsOn": {}, "f:postBuild": { "f:substitute": { "f:env": {} } } } } },
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:patches": {} } } },
      { manager: "kustomize-controller", operation: "Update", subresource: "status", fieldsV1: { "f:spec": { "f:interval": {} } } },
    ];
    expect(ownersOf(entries, ["spec", "interval"])).toEqual(["fleetline"]);
    expect(ownersOf(entries, ["spec", "dependsOn", 0, "name"])).toEqual(["fleetline"]);
    expect(ownersOf(entries, ["spec", "postBuild"])).toEqual(["fleetline"]);
    expect(ownersOf(entries, ["spec", "patches"])).toEqual(["kubectl-edit"]);
    expect(ownersOf(entries, ["spec", "timeout"])).toEqual([]);
    expect(ownersOf(undefined, ["spec"])).toEqual([]);
  });
});

describe("foreignChanges", () => {
  it("reports another manager's write after Flux's last apply, with the fields it owns", () => {
    expect(foreignChanges([flux, edit])).toEqual([{ manager: "kubectl-edit", operation: "Update", time: "2025-06-01T10:05:00Z", fields: ["data.message"] }]);
  });

  it("ignores writes Flux has applied over since, status writes and the control plane", () => {
    const older = { ...edit, time: "2025-06-01T09:00:00Z" };
    const status = { ...edit, subresource: "status" };
    const controller = { ...edit, manager: "kube-controller-manager" };
    expect(foreignChanges([flux, older, status, controller])).toEqual([]);
  });

  it("lists owned paths, stopping at list items", () => {
    expect(ownedPaths({ fieldsV1: { "f:spec": { "f:ports": { ".": {}, 'k:{"port":80}': { "f:port": {} } }, "f:type": {} } } })).toEqual(["spec.ports", "spec.type"]);
  });
});
