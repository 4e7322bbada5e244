import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { LabelSelector } from "@/lib/validation/label-selector";
import { ASSIGNMENT_EFFECTS } from "./enums";
import { configurations } from "./schema-configurations";

// Compliance assignments: "every cluster matching this selector must run this configuration".

/**
 * `audit` checks without pushing (Azure Policy's audit effect); `deploy` is a configuration's
 * own targets. Only audit assignments are stored: deploy ones are derived from each pushed
 * configuration's targets whenever compliance is evaluated, so they can never disagree.
 */
export { ASSIGNMENT_EFFECTS, type AssignmentEffect } from "./enums";

export const assignments = sqliteTable(
  "assignments",
  {
    id: text("id").primaryKey(),
    // A DNS-1123 label, unique: it names the assignment in the audit log and in exports.
    name: text("name").notNull(),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    selector: text("selector", { mode: "json" }).$type<LabelSelector>().notNull(),
    effect: text("effect", { enum: ASSIGNMENT_EFFECTS }).notNull().default("audit"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedBy: text("updated_by").notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("assignments_name_unique").on(t.name), index("assignments_configuration_idx").on(t.configurationId)],
);

export type AssignmentRow = typeof assignments.$inferSelect;

/**
 * One row (id 1) whose value moves whenever anything the compliance figures are computed from
 * changes: a status row's state or words, a target, a cluster's name or labels, a configuration,
 * an assignment. Triggers keep it (migration 0009), so every writer is covered; the compliance
 * summary and matrix are cached per value (lib/queries/computed.ts readVersioned) and recomputed
 * as soon as it moves. Observation times alone do not move it.
 */
export const complianceEpoch = sqliteTable("compliance_epoch", {
  id: integer("id").primaryKey(),
  value: integer("value").notNull().default(0),
});
