import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { AuditActor } from "@/lib/audit";
import type { FieldConflict } from "@/lib/k8s/errors";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import type { RolloutControl, Strategy } from "@/lib/push/waves";
import { CREDENTIAL_TYPES } from "./enums";
import { clusters } from "./schema";

// GitOps configurations: reusable source credentials, configurations with immutable
// versions, their resolved targets, and the rollouts that push versions to clusters.

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export { CREDENTIAL_TYPES, type CredentialType } from "./enums";

export const credentials = sqliteTable(
  "credentials",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type", { enum: CREDENTIAL_TYPES }).notNull(),
    // The only host this credential is ever sent to (lowercase, no port): a source URL on
    // another host cannot use it, so a configuration edit cannot exfiltrate it.
    host: text("host").notNull(),
    // AES-256-GCM, bound to the row id; the plaintext is the Secret material as JSON.
    sealed: text("sealed").notNull(),
    fingerprint: text("fingerprint").notNull(),
    // What may be shown: an SSH public key (deploy key), known_hosts host names, a user name.
    publicKey: text("public_key"),
    knownHosts: text("known_hosts", { mode: "json" }).$type<string[]>().notNull().default([]),
    username: text("username"),
    hasCaCert: integer("has_ca_cert", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("credentials_name_unique").on(t.name)],
);

export const configurations = sqliteTable(
  "configurations",
  {
    id: text("id").primaryKey(),
    // Also the object-name prefix and the fleetline.io/configuration label on every cluster.
    name: text("name").notNull(),
    namespace: text("namespace").notNull(),
    currentVersion: integer("current_version").notNull(),
    // The version last pushed to the whole target set; newly matching clusters get this one.
    pushedVersion: integer("pushed_version"),
    isSuspended: integer("is_suspended", { mode: "boolean" }).notNull().default(false),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
  },
  // Names are unique among live configurations: deleted ones keep their history, not their name.
  (t) => [uniqueIndex("configurations_name_live_unique").on(t.name).where(sql`deleted_at is null`)],
);

/** Immutable: rows are only ever inserted. */
export const configurationVersions = sqliteTable(
  "configuration_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    spec: text("spec", { mode: "json" }).$type<ConfigurationSpec>().notNull(),
    author: text("author").notNull(),
    message: text("message").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("configuration_versions_unique").on(t.configurationId, t.version)],
);

export const TARGET_REASONS = ["explicit", "selector"] as const;
export type TargetReason = (typeof TARGET_REASONS)[number];

/** The clusters a configuration was last resolved to (at push time, and on relabel/registration). */
export const configurationTargets = sqliteTable(
  "configuration_targets",
  {
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    reason: text("reason", { enum: TARGET_REASONS }).notNull(),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.configurationId, t.clusterId] }), index("configuration_targets_cluster_idx").on(t.clusterId)],
);

// queued: waiting for an earlier rollout of the same configuration (one applies at a time).
// aborted: an operator stopped it; rows not yet applied never apply.
export const ROLLOUT_STATES = ["queued", "running", "done", "interrupted", "aborted"] as const;
/** Not finished: the coordinator runs these one at a time per configuration, oldest first. */
export const UNFINISHED_ROLLOUT_STATES = ["queued", "running"] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export const ROLLOUT_TRIGGERS = ["push", "target-change", "delete", "rollback"] as const;
export type RolloutTrigger = (typeof ROLLOUT_TRIGGERS)[number];

export const rollouts = sqliteTable(
  "rollouts",
  {
    id: text("id").primaryKey(),
    // Creation order without ties (timestamps can collide): a later rollout supersedes an earlier one.
    sequence: integer("sequence").notNull(),
    configurationId: text("configuration_id")
      .notNull()
      .references(() => configurations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    trigger: text("trigger", { enum: ROLLOUT_TRIGGERS }).notNull(),
    state: text("state", { enum: ROLLOUT_STATES }).notNull(),
    createdBy: text("created_by").notNull(),
    // Who to name in the outcome's audit record, also when a restart finishes the rollout.
    actor: text("actor", { mode: "json" }).$type<AuditActor>().notNull(),
    createdAt: createdAt(),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    // An admin's override of maintenance windows for this rollout (who and why; audited).
    windowOverride: text("window_override", { mode: "json" }).$type<{ by: string; reason: string; at: string }>(),
    // The version's rollout strategy, copied when the rollout was recorded (null: one wave, all targets).
    strategy: text("strategy", { mode: "json" }).$type<Strategy>(),
    // Where the waves stand (current wave, gate, approvals, pause, abort): survives a restart.
    control: text("control", { mode: "json" }).$type<RolloutControl>(),
    // The version the target set ran before this push: what abort-with-rollback goes back to.
    previousVersion: integer("previous_version"),
  },
  (t) => [uniqueIndex("rollouts_sequence_unique").on(t.sequence), index("rollouts_configuration_idx").on(t.configurationId, t.sequence), index("rollouts_state_idx").on(t.state)],
);

export const ROLLOUT_ACTIONS = ["apply", "remove"] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];
// superseded: a newer rollout of the configuration (or its deletion) took over this cluster before this row applied.
// skipped: an operator took the cluster out of the rollout; aborted: the rollout stopped before the row applied.
export const ROLLOUT_CLUSTER_STATES = ["pending", "applying", "applied", "failed", "interrupted", "removed", "superseded", "skipped", "aborted"] as const;
export type RolloutClusterState = (typeof ROLLOUT_CLUSTER_STATES)[number];

/** One row per (rollout, cluster): what happened to that version on that cluster. */
export const rolloutClusters = sqliteTable(
  "rollout_clusters",
  {
    rolloutId: text("rollout_id")
      .notNull()
      .references(() => rollouts.id, { onDelete: "cascade" }),
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    action: text("action", { enum: ROLLOUT_ACTIONS }).notNull(),
    state: text("state", { enum: ROLLOUT_CLUSTER_STATES }).notNull(),
    reason: text("reason"),
    conflicts: text("conflicts", { mode: "json" }).$type<FieldConflict[]>().notNull().default([]),
    attempts: integer("attempts").notNull().default(0),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
    // "Kind namespace/name" of every object applied (or removed), then of every object pruned.
    objects: text("objects", { mode: "json" }).$type<string[]>().notNull().default([]),
    pruned: text("pruned", { mode: "json" }).$type<string[]>().notNull().default([]),
    // The wave (index into the rollout's planned waves) the cluster belongs to.
    wave: integer("wave").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.clusterId] }), index("rollout_clusters_cluster_idx").on(t.clusterId, t.state)],
);

export type Credential = typeof credentials.$inferSelect;
export type Configuration = typeof configurations.$inferSelect;
export type ConfigurationVersion = typeof configurationVersions.$inferSelect;
export type ConfigurationTarget = typeof configurationTargets.$inferSelect;
export type Rollout = typeof rollouts.$inferSelect;
export type RolloutCluster = typeof rolloutClusters.$inferSelect;
