import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "@/db/schema";
import { PERMISSIONS, can, type Permission } from "./permissions";

// The whole matrix, written out: a change to any role's rights must change this table.
const EXPECTED: Record<Permission, Role[]> = {
  "dashboard.read": ["admin", "operator", "viewer"],
  "clusters.read": ["admin", "operator", "viewer"],
  "clusters.register": ["admin"],
  "clusters.update": ["admin", "operator"],
  "clusters.credentials": ["admin"],
  "clusters.delete": ["admin"],
  "configurations.read": ["admin", "operator", "viewer"],
  "configurations.write": ["admin", "operator"],
  "configurations.push": ["admin", "operator"],
  "configurations.reconcile": ["admin", "operator"],
  "configurations.delete": ["admin", "operator"],
  "credentials.read": ["admin", "operator"],
  "credentials.write": ["admin"],
  "compliance.read": ["admin", "operator", "viewer"],
  "assignments.write": ["admin", "operator"],
  "waivers.write": ["admin", "operator"],
  "audit.read": ["admin", "operator", "viewer"],
  "users.read": ["admin"],
  "users.write": ["admin"],
  "settings.write": ["admin"],
};

describe("permission matrix", () => {
  it("covers every permission", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      const allowed = EXPECTED[permission].includes(role);
      it(`${role} ${allowed ? "may" : "may not"} ${permission}`, () => {
        expect(can(role, permission)).toBe(allowed);
      });
    }
  }

  it("gives viewers no mutating permission", () => {
    const mutating = PERMISSIONS.filter((p) => !p.endsWith(".read"));
    expect(mutating.filter((p) => can("viewer", p))).toEqual([]);
  });
});
