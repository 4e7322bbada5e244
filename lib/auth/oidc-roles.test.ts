import { describe, expect, it } from "vitest";
import { parseRoleMap, roleForGroups } from "./oidc-roles";

describe("OIDC group-to-role mapping", () => {
  const map = parseRoleMap("platform-admins=admin, sre=operator ,auditors=viewer");

  it("defaults new SSO users to viewer", () => {
    expect(roleForGroups(undefined, map)).toBe("viewer");
    expect(roleForGroups(["unmapped"], map)).toBe("viewer");
  });

  it("picks the highest mapped role", () => {
    expect(roleForGroups(["sre"], map)).toBe("operator");
    expect(roleForGroups(["sre", "platform-admins"], map)).toBe("admin");
  });

  it("ignores non-string claims", () => {
    expect(roleForGroups([42, { g: "platform-admins" }], map)).toBe("viewer");
  });

  it("rejects an unknown role or a malformed pair", () => {
    expect(() => parseRoleMap("x=root")).toThrow(/must be one of admin, operator, viewer/);
    expect(() => parseRoleMap("=admin")).toThrow(/not group=role/);
    expect(() => parseRoleMap("admin")).toThrow(/not group=role/);
  });
});
