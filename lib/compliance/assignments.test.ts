import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Assignment CRUD against a real SQLite file: field errors, nothing written when refused.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let assignments: typeof import("./assignments");
let tables: typeof import("@/db/schema-compliance") & typeof import("@/db/schema-configurations");
let configurationId = "";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  assignments = await import("./assignments");
  tables = { ...(await import("@/db/schema-compliance")), ...(await import("@/db/schema-configurations")) };
  const { createConfiguration } = await import("@/lib/configurations/store");
  const created = createConfiguration(
    { name: "baseline", scope: "cluster", source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } }, kustomizations: [{ name: "infra", path: "infrastructure" }], targets: { selector: { matchLabels: { env: "prod" } } } },
    { author: "test" },
  );
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  configurationId = created.configuration.id;
});
afterAll(() => temp?.cleanup());

const count = () => temp.db.select().from(tables.assignments).all().length;

describe("assignments", () => {
  it("refuses bad input field by field and writes nothing", () => {
    expect(assignments.createAssignment({ name: "baseline/prod", configurationId: "", selector: "env in (prod" }, "op")).toEqual({
      status: "invalid",
      fieldErrors: { name: "must not contain '/' (DNS-1123 label)", configurationId: "choose a configuration", selector: "has an unclosed parenthesis" },
      message: "Check the highlighted fields: Name, Configuration, Label selector.",
    });
    expect(assignments.createAssignment({ name: "baseline-prod", configurationId: "no-such-id", selector: "env=prod" }, "op")).toMatchObject({ status: "invalid", fieldErrors: { configurationId: "no such configuration" } });
    expect(assignments.createAssignment({ name: "x".repeat(64), configurationId, selector: "" }, "op")).toMatchObject({ status: "invalid", fieldErrors: { name: expect.stringContaining("at most 63"), selector: expect.stringContaining("is required") } });
    expect(assignments.createAssignment("not an object", "op")).toMatchObject({ status: "invalid" });
    expect(count()).toBe(0);
  });

  it("creates, renames uniquely, updates and deletes audit-only assignments", () => {
    const created = assignments.createAssignment({ name: "baseline-prod", configurationId, selector: "env=prod, tier in (web)" }, "op@example.com");
    if (created.status !== "ok") throw new Error(JSON.stringify(created));
    expect(created.assignment).toMatchObject({ name: "baseline-prod", effect: "audit", createdBy: "op@example.com", selector: { matchLabels: { env: "prod" }, matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] } });
    expect(assignments.createAssignment({ name: "baseline-prod", configurationId, selector: "env=dev" }, "op")).toMatchObject({ status: "invalid", fieldErrors: { name: "is already used by another assignment" } });
    const updated = assignments.updateAssignment(created.assignment.id, { name: "baseline-all", configurationId, selector: "env" }, "admin@example.com");
    expect(updated).toMatchObject({ status: "ok", assignment: { name: "baseline-all", updatedBy: "admin@example.com", createdBy: "op@example.com", selector: { matchExpressions: [{ key: "env", operator: "Exists" }] } } });
    expect(assignments.updateAssignment(created.assignment.id, { name: "baseline-all", configurationId, selector: "env=" + "x".repeat(70) }, "op")).toMatchObject({ status: "invalid" });
    expect(assignments.findAssignment(created.assignment.id)?.selector).toEqual({ matchExpressions: [{ key: "env", operator: "Exists" }] });
    expect(assignments.updateAssignment("missing", { name: "a", configurationId, selector: "env" }, "op")).toEqual({ status: "not-found" });
    expect(assignments.deleteAssignment(created.assignment.id)?.name).toBe("baseline-all");
    expect(assignments.deleteAssignment(created.assignment.id)).toBeUndefined();
  });

  it("stops evaluating an assignment whose configuration was deleted, but keeps listing it", () => {
    const created = assignments.createAssignment({ name: "kept", configurationId, selector: "env=prod" }, "op");
    expect(created.status).toBe("ok");
    expect(assignments.listAssignments().map((a) => a.name)).toEqual(["kept"]);
    temp.db.update(tables.configurations).set({ deletedAt: new Date() }).run();
    expect(assignments.listAssignments()).toEqual([]);
    expect(assignments.listStoredAssignments().map((a) => [a.name, a.isConfigurationDeleted])).toEqual([["kept", true]]);
  });
});
