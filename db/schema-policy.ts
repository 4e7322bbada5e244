import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { clusters } from "./schema";

// Policy compliance as each cluster's policy engines report it (issue 15): OPA Gatekeeper's
// constraint status and the policy reports Kyverno (and others) write, read by the observation
// loop on its policy interval. One row per cluster and policy; the violations shown are capped.

import type { LabelSelector } from "@/lib/validation/label-selector";
import { POLICY_ENGINES, POLICY_SEVERITIES, WAIVER_STATUSES } from "./enums";
export { POLICY_ENGINES, POLICY_SEVERITIES, WAIVER_STATUSES, type PolicyEngine, type PolicySeverity, type WaiverStatus } from "./enums";

export const policyResults = sqliteTable(
  "policy_results",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    engine: text("engine", { enum: POLICY_ENGINES }).notNull(),
    // gatekeeper: "<Kind>/<name>" of the constraint; reports: the policy name.
    policy: text("policy").notNull(),
    // Who wrote the results (a report result's source: kyverno, trivy...; "gatekeeper").
    source: text("source").notNull(),
    category: text("category"),
    // The highest severity among its failing results (reports only; Gatekeeper has none).
    severity: text("severity", { enum: POLICY_SEVERITIES }),
    enforcementAction: text("enforcement_action"),
    pass: integer("pass").notNull().default(0),
    fail: integer("fail").notNull().default(0),
    warn: integer("warn").notNull().default(0),
    error: integer("error").notNull().default(0),
    skip: integer("skip").notNull().default(0),
    // When the engine last evaluated it (auditTimestamp; the newest result timestamp); null: not audited yet.
    auditedAt: integer("audited_at", { mode: "timestamp_ms" }),
    // How many violations are stored below (capped), of fail + error + warn.
    violationsStored: integer("violations_stored").notNull().default(0),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.engine, t.policy] }), index("policy_results_policy_idx").on(t.engine, t.policy)],
);

export const policyViolations = sqliteTable(
  "policy_violations",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    engine: text("engine", { enum: POLICY_ENGINES }).notNull(),
    policy: text("policy").notNull(),
    ordinal: integer("ordinal").notNull(),
    result: text("result").notNull(),
    rule: text("rule"),
    severity: text("severity", { enum: POLICY_SEVERITIES }),
    enforcementAction: text("enforcement_action"),
    resourceKind: text("resource_kind"),
    resourceNamespace: text("resource_namespace"),
    resourceName: text("resource_name"),
    // Cluster-supplied text, stored truncated; shown inert.
    message: text("message").notNull().default(""),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.engine, t.policy, t.ordinal] })],
);

/** The last policy read of each engine on each cluster: when, and why it failed or was cut short. */
export const policyReads = sqliteTable(
  "policy_reads",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    engine: text("engine", { enum: POLICY_ENGINES }).notNull(),
    readAt: integer("read_at", { mode: "timestamp_ms" }).notNull(),
    // The last successful read (rows are as of then).
    okAt: integer("ok_at", { mode: "timestamp_ms" }),
    error: text("error"),
    results: integer("results").notNull().default(0),
    // Violations beyond the per-policy cap were counted but not stored.
    truncated: integer("truncated", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.engine] })],
);

/**
 * Risk acceptances: a policy knowingly not met on the clusters a selector matches (optionally one
 * resource only), until an expiry. Requested by one person, approved by another (operator or above).
 * While approved and unexpired, the results it covers count as Accepted risk, never as passing.
 */
export const policyWaivers = sqliteTable(
  "policy_waivers",
  {
    id: text("id").primaryKey(),
    engine: text("engine", { enum: POLICY_ENGINES }).notNull(),
    policy: text("policy").notNull(),
    // All three or none: one resource's violations only.
    resourceKind: text("resource_kind"),
    resourceNamespace: text("resource_namespace"),
    resourceName: text("resource_name"),
    selector: text("selector", { mode: "json" }).$type<LabelSelector>().notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: WAIVER_STATUSES }).notNull(),
    requestedById: text("requested_by_id").notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedAt: integer("requested_at", { mode: "timestamp_ms" }).notNull(),
    decidedById: text("decided_by_id"),
    decidedBy: text("decided_by"),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    decisionNote: text("decision_note"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    // Set once, by whichever process first saw it expire, which audits it.
    expiryRecordedAt: integer("expiry_recorded_at", { mode: "timestamp_ms" }),
    // Set once, with the outbox row, when it came within the warning window: the notice is never repeated.
    expiryNotifiedAt: integer("expiry_notified_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("policy_waivers_policy_idx").on(t.engine, t.policy), index("policy_waivers_status_idx").on(t.status, t.expiresAt)],
);

/**
 * When a cluster's policy started or stopped passing (audited, nothing failing), for the 30-day
 * trend: walked back from today's counts, as the GitOps trend walks status history. A pair's
 * first reading has no previous value. Waivers and staleness are not history: they are judged now.
 */
export const policyResultHistory = sqliteTable(
  "policy_result_history",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    engine: text("engine", { enum: POLICY_ENGINES }).notNull(),
    policy: text("policy").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    passing: integer("passing", { mode: "boolean" }).notNull(),
    previousPassing: integer("previous_passing", { mode: "boolean" }),
  },
  (t) => [index("policy_result_history_at_idx").on(t.at), index("policy_result_history_pair_idx").on(t.clusterId, t.engine, t.policy, t.at)],
);

export type PolicyResultRow = typeof policyResults.$inferSelect;
export type PolicyViolationRow = typeof policyViolations.$inferSelect;
export type PolicyReadRow = typeof policyReads.$inferSelect;
export type PolicyWaiver = typeof policyWaivers.$inferSelect;
