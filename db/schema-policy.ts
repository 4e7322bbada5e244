import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { clusters } from "./schema";

// Policy compliance as each cluster's policy engines report it (issue 15): OPA Gatekeeper's
// constraint status and the policy reports Kyverno (and others) write, read by the observation
// loop on its policy interval. One row per cluster and policy; the violations shown are capped.

import { POLICY_ENGINES, POLICY_SEVERITIES } from "./enums";
export { POLICY_ENGINES, POLICY_SEVERITIES, type PolicyEngine, type PolicySeverity } from "./enums";

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

export type PolicyResultRow = typeof policyResults.$inferSelect;
export type PolicyViolationRow = typeof policyViolations.$inferSelect;
export type PolicyReadRow = typeof policyReads.$inferSelect;
