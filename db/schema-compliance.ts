import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
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

/**
 * Every compliance cell (what lib/compliance/cells-sql.ts cellsCte works out: one row per
 * (configuration, cluster) in scope of an assignment, "not applied" included), kept so a status
 * change costs one row instead of every cell of the fleet (the compliance page after a change:
 * p95 2.2 s at 10,000 clusters x 10 configurations when every cell was worked out again).
 * Triggers (migration 0021) refresh a pair's row whenever its status row or target changes;
 * what moves the scope itself (the assignment list, a cluster's labels, a cluster added or
 * removed) marks the table stale and the next read rebuilds it (lib/compliance/stored-cells.ts).
 */
export const complianceCells = sqliteTable(
  "compliance_cells",
  {
    configurationId: text("configuration_id").notNull(),
    clusterId: text("cluster_id").notNull(),
    /** JSON array of the ids of the assignments covering the pair. */
    assignments: text("assignments").notNull(),
    notApplied: integer("not_applied").notNull(),
    state: text("state").notNull(),
    /** The state's position in COMPLIANCE_STATES (0 is Non-Compliant): sorts and aggregates by severity. */
    rank: integer("rank").notNull(),
    since: integer("since"),
    hasConfigDrift: integer("has_config_drift").notNull(),
    hasRevisionDrift: integer("has_revision_drift").notNull(),
    hasResourceDrift: integer("has_resource_drift").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.configurationId, t.clusterId] }),
    // Per-cluster questions (worst cell, failing count, the matrix's rows) read only this index.
    index("compliance_cells_cluster_idx").on(t.clusterId, t.rank, t.state, t.configurationId),
    // Counts per configuration and state, and the pairs of one configuration.
    index("compliance_cells_configuration_idx").on(t.configurationId, t.state),
    // Counts by state (with drift) and the longest-failing cells.
    index("compliance_cells_state_idx").on(t.state, t.since, t.configurationId, t.hasConfigDrift, t.hasRevisionDrift, t.hasResourceDrift),
    index("compliance_cells_assignments_idx").on(t.assignments, t.state),
  ],
);

/** One row (id 1): which assignment list compliance_cells holds, and whether the scope moved since. */
export const complianceCellsState = sqliteTable("compliance_cells_state", {
  id: integer("id").primaryKey(),
  /** sha256 of the assignment list the cells were built for; empty before the first build. */
  assignmentsHash: text("assignments_hash").notNull().default(""),
  /** 1 when a cluster was added, removed or relabelled after the last build. */
  stale: integer("stale").notNull().default(1),
});
