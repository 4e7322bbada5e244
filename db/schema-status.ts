import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { COMPLIANCE_STATES, RECONCILERS } from "./enums";
import { clusters } from "./schema";
import { configurations } from "./schema-configurations";

// What the status collector saw: the compliance state of every (cluster, configuration), its
// history, the Flux objects or Argo CD Applications behind it, and the head of each configuration's Git source.

// The vocabulary lives in ./enums (no drizzle there, so client code can import it).
export { COMPLIANCE_STATES, type ComplianceState } from "./enums";

/** One drifted Flux object as the collector records it: names and field paths, never values. */
export type ConfigDriftEntry = { object: string; change: "missing" | "changed" | "extra"; paths: string[] };

export type InventoryEntry = { id: string; v: string };

/** One entry of an Argo CD Application's status.history: what it deployed, and when. */
export type ArgoDeployment = { id: number; revision: string; deployedAt: string };

/** The current state per (configuration, cluster); upserted by every sweep. */
export const configurationStatus = sqliteTable(
  "configuration_status",
  {
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    state: text("state", { enum: COMPLIANCE_STATES }).notNull(),
    // Stable words ("Kustomization/fleet-apps: BuildFailed"): history is appended when they change.
    reason: text("reason"),
    // The controller's own message; it may change every sweep without a history row.
    message: text("message"),
    // The version the last push sent to this cluster, and the lowest version its objects show.
    expectedVersion: integer("expected_version"),
    appliedVersion: integer("applied_version"),
    sourceRevision: text("source_revision"),
    appliedRevision: text("applied_revision"),
    lastAppliedAt: integer("last_applied_at", { mode: "timestamp_ms" }),
    // reconcile.fluxcd.io/requestedAt tokens: handled when both are equal.
    reconcileRequestedAt: text("reconcile_requested_at"),
    lastHandledReconcileAt: text("last_handled_reconcile_at"),
    hasConfigDrift: integer("has_config_drift", { mode: "boolean" }).notNull().default(false),
    configDrift: text("config_drift", { mode: "json" }).$type<ConfigDriftEntry[]>().notNull().default([]),
    // Behind the head of the tracked ref by N commits (those touching the Kustomization paths,
    // as the Commits tab lists them), diverged from it (aheadBy > 0: the applied commit is not an
    // ancestor of the head), or the source failing to fetch.
    hasRevisionDrift: integer("has_revision_drift", { mode: "boolean" }).notNull().default(false),
    behindBy: integer("behind_by"),
    aheadBy: integer("ahead_by"),
    revisionMessage: text("revision_message"),
    // Inventory objects changed by field managers other than kustomize-controller.
    hasResourceDrift: integer("has_resource_drift", { mode: "boolean" }).notNull().default(false),
    resourceDriftCount: integer("resource_drift_count").notNull().default(0),
    stateChangedAt: integer("state_changed_at", { mode: "timestamp_ms" }).notNull(),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
    // When the cluster last answered; kept while it is unreachable.
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }),
    // The reconciler that was read (null: the cluster's is not known and it serves no Flux kind).
    reconciler: text("reconciler", { enum: RECONCILERS }),
    // Argo CD's own words behind the compliance state (null on Flux rows): sync and health
    // status, the last operation's phase, and status.history of the first Application.
    argoSync: text("argo_sync"),
    argoHealth: text("argo_health"),
    argoOperationPhase: text("argo_operation_phase"),
    argoHistory: text("argo_history", { mode: "json" }).$type<ArgoDeployment[]>(),
  },
  (t) => [
    primaryKey({ columns: [t.configurationId, t.clusterId] }),
    // Covering for the dashboard's per-cluster question ("clusters needing attention"): one
    // ordered pass over this index groups by cluster without touching the table (476 ms → see README at 10k × 10).
    index("configuration_status_cluster_summary_idx").on(t.clusterId, t.state, t.observedAt, t.lastSeenAt, t.hasConfigDrift, t.hasRevisionDrift, t.hasResourceDrift, t.reconciler),
    // Totals (with their drift sums), "most non-compliant configurations" and state filters read only this index.
    index("configuration_status_state_drift_idx").on(t.state, t.configurationId, t.hasConfigDrift, t.hasRevisionDrift, t.hasResourceDrift),
    // A configuration's counts by state (its page, the configurations list) without reading its rows.
    index("configuration_status_configuration_state_idx").on(t.configurationId, t.state),
    index("configuration_status_observed_idx").on(t.observedAt),
  ],
);

/**
 * Appended only when a pair's state or reason changes. `previousState` lets "% compliant over
 * time" be computed from the changes in a window plus the count at its start, without
 * replaying every pair.
 */
export const configurationStatusHistory = sqliteTable(
  "configuration_status_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    state: text("state", { enum: COMPLIANCE_STATES }).notNull(),
    previousState: text("previous_state", { enum: COMPLIANCE_STATES }),
    reason: text("reason"),
  },
  (t) => [
    // Fleet-wide timeline and trend: a range on `at`, covered without touching the table.
    index("status_history_at_idx").on(t.at, t.state, t.previousState),
    index("status_history_configuration_idx").on(t.configurationId, t.at),
    // The state of one pair as of a time: the last row at or before it.
    // Covering: the trend walks every pair's changes without touching the table rows.
    index("status_history_pair_idx").on(t.clusterId, t.configurationId, t.at, t.state, t.previousState),
  ],
);

/** Every Fleetline-managed Flux object or Argo CD Application at the last successful collection; replaced per cluster. */
export const objectStatus = sqliteTable(
  "object_status",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    state: text("state", { enum: COMPLIANCE_STATES }).notNull(),
    ready: text("ready", { enum: ["True", "False", "Unknown"] }),
    reason: text("reason"),
    message: text("message"),
    revision: text("revision"),
    isSuspended: integer("is_suspended", { mode: "boolean" }).notNull().default(false),
    generation: integer("generation"),
    observedGeneration: integer("observed_generation"),
    version: integer("version"),
    lastHandledReconcileAt: text("last_handled_reconcile_at"),
    inventory: text("inventory", { mode: "json" }).$type<InventoryEntry[]>(),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.clusterId, t.kind, t.namespace, t.name] }),
    index("object_status_configuration_idx").on(t.configurationId, t.clusterId),
  ],
);

/** The head of each configuration's tracked Git ref, from Fleetline's own cache of the repository. */
export const sourceStatus = sqliteTable("source_status", {
  configurationId: text("configuration_id")
    .primaryKey()
    .references(() => configurations.id, { onDelete: "cascade" }),
  url: text("url").notNull(),
  // "branch main", "tag v1.0.0"...
  ref: text("ref").notNull(),
  headSha: text("head_sha"),
  checkedAt: integer("checked_at", { mode: "timestamp_ms" }).notNull(),
  // A clean message (never credentials): bad ref, authentication failure, unreachable host.
  error: text("error"),
  errorKind: text("error_kind"),
});

export type ConfigurationStatus = typeof configurationStatus.$inferSelect;
export type NewConfigurationStatus = typeof configurationStatus.$inferInsert;
export type ConfigurationStatusHistory = typeof configurationStatusHistory.$inferSelect;
export type ObjectStatus = typeof objectStatus.$inferSelect;
export type NewObjectStatus = typeof objectStatus.$inferInsert;
export type SourceStatus = typeof sourceStatus.$inferSelect;
