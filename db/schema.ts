import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

import { AUDIT_OUTCOMES, HEALTH_STATES, RECONCILERS, ROLES } from "./enums";

// The vocabularies live in ./enums (no drizzle there, so client code can import them).
export { AUDIT_OUTCOMES, HEALTH_STATES, RECONCILERS, ROLES, type AuditOutcome, type HealthState, type Reconciler, type Role } from "./enums";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    // Null for single-sign-on users: they never log in with a password.
    passwordHash: text("password_hash"),
    role: text("role", { enum: ROLES }).notNull(),
    authSource: text("auth_source", { enum: ["local", "oidc"] }).notNull().default("local"),
    // Single-sign-on users are who the identity provider says: its issuer plus its `sub`, never
    // the email (which an IdP may let anyone set). Null for local users.
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    isDisabled: integer("is_disabled", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // Emails are unique among local accounts only: an SSO user whose IdP claims the same email as a
    // local admin is a different person until proven otherwise, and gets a row of its own.
    uniqueIndex("users_local_email_unique").on(t.email).where(sql`${t.authSource} = 'local'`),
    uniqueIndex("users_oidc_identity_unique").on(t.oidcIssuer, t.oidcSubject),
    index("users_email_idx").on(t.email),
  ],
);

// Every login gets a row; the JWT only carries its id, so revoking the row ends the session.
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Personal API tokens for pipelines and scripts (issue 16): shown once, stored as a SHA-256 hash
 * (the token is 32 random bytes: no dictionary to try), with a role no higher than their owner's.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    // The first characters, to tell tokens apart in lists and logs (never enough to use).
    prefix: text("prefix").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    lastUsedIp: text("last_used_ip"),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    revokedBy: text("revoked_by"),
  },
  (t) => [uniqueIndex("api_tokens_hash_unique").on(t.tokenHash), index("api_tokens_user_idx").on(t.userId)],
);

// Failed-login counters per account and per client address; in the database so a restart does not reset them.
export const loginThrottle = sqliteTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: integer("window_started_at", { mode: "timestamp_ms" }).notNull(),
  lockedUntil: integer("locked_until", { mode: "timestamp_ms" }),
});


export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorId: text("actor_id"),
    // Kept as text so the record survives the user's removal.
    actorEmail: text("actor_email").notNull(),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    outcome: text("outcome", { enum: AUDIT_OUTCOMES }).notNull(),
    // JSON, already redacted before it is written.
    details: text("details").notNull().default("{}"),
    ip: text("ip"),
  },
  (t) => [
    index("audit_at_idx").on(t.at),
    index("audit_actor_idx").on(t.actorEmail, t.at),
    index("audit_action_idx").on(t.action, t.at),
    index("audit_target_idx").on(t.targetType, t.targetId),
  ],
);

export const appSettings = sqliteTable("app_settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  updatedBy: text("updated_by"),
});

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;

// ---------------------------------------------------------------------------
// Cluster inventory


export const clusters = sqliteTable(
  "clusters",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    displayName: text("display_name").notNull(),
    // JSON object of Kubernetes-style labels, e.g. {"env":"prod"}.
    labels: text("labels", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
    // The API server URL is not secret and is shown; everything needed to authenticate is sealed.
    server: text("server").notNull(),
    authMethod: text("auth_method", { enum: ["kubeconfig", "token"] }).notNull(),
    credentials: text("credentials").notNull(),
    credentialsFingerprint: text("credentials_fingerprint").notNull(),
    credentialsRotatedAt: integer("credentials_rotated_at", { mode: "timestamp_ms" }).notNull(),
    reconcilerOverride: text("reconciler_override", { enum: RECONCILERS }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [uniqueIndex("clusters_name_unique").on(t.name)],
);


export type FluxControllerState = { name: string; ready: boolean };
/** A reconciler workload (Deployment or StatefulSet) and whether its replicas are ready. */
export type ControllerState = FluxControllerState;
export type FluxObjectCount = { kind: string; ready: number; notReady: number; unknown: number };

// What the last health check saw; one row per cluster, replaced on every check.
export const clusterHealth = sqliteTable(
  "cluster_health",
  {
    clusterId: text("cluster_id")
      .primaryKey()
      .references(() => clusters.id, { onDelete: "cascade" }),
    state: text("state", { enum: HEALTH_STATES }).notNull().default("unknown"),
    reasonKind: text("reason_kind"),
    reason: text("reason"),
    checkedAt: integer("checked_at", { mode: "timestamp_ms" }),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }),
    latencyMs: integer("latency_ms"),
    kubernetesVersion: text("kubernetes_version"),
    nodeCount: integer("node_count"),
    fluxInstalled: integer("flux_installed", { mode: "boolean" }),
    fluxVersion: text("flux_version"),
    fluxControllers: text("flux_controllers", { mode: "json" }).$type<FluxControllerState[]>().notNull().default([]),
    argoInstalled: integer("argo_installed", { mode: "boolean" }),
    argoVersion: text("argo_version"),
    argoControllers: text("argo_controllers", { mode: "json" }).$type<ControllerState[]>().notNull().default([]),
    detectedReconciler: text("detected_reconciler", { enum: RECONCILERS }),
    fluxObjectCounts: text("flux_object_counts", { mode: "json" }).$type<FluxObjectCount[]>().notNull().default([]),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    // The replica (lib/server/replicas.ts) that wrote this check: with several, each cluster has one.
    observedBy: text("observed_by"),
    nextCheckAt: integer("next_check_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("cluster_health_state_idx").on(t.state), index("cluster_health_next_idx").on(t.nextCheckAt)],
);

// Appended only when a cluster's health state or reason changes: the health history.
export const clusterHealthEvents = sqliteTable(
  "cluster_health_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    state: text("state", { enum: HEALTH_STATES }).notNull(),
    reason: text("reason"),
    kubernetesVersion: text("kubernetes_version"),
  },
  (t) => [index("cluster_health_events_cluster_idx").on(t.clusterId, t.at)],
);

// Every Flux object seen on a cluster at the last check, whether Fleetline created it or not.
export const clusterFluxObjects = sqliteTable(
  "cluster_flux_objects",
  {
    clusterId: text("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    ready: text("ready", { enum: ["True", "False", "Unknown"] }).notNull(),
    reason: text("reason"),
    message: text("message"),
    revision: text("revision"),
    isSuspended: integer("is_suspended", { mode: "boolean" }).notNull().default(false),
    configuration: text("configuration"),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clusterId, t.kind, t.namespace, t.name] })],
);

export type Cluster = typeof clusters.$inferSelect;
export type ClusterHealth = typeof clusterHealth.$inferSelect;
export type ClusterFluxObject = typeof clusterFluxObjects.$inferSelect;
