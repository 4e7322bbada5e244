import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { CHANNEL_TYPES, SEVERITIES, type NotificationEvent } from "@/lib/notify/vocabulary";
import type { LabelSelector } from "@/lib/validation/label-selector";

// Fleetline's own notifications (issue 16): where messages go, which events go there, the
// outbox the observation loop and the rollout coordinator write to, and what each send did.

export const notificationChannels = sqliteTable(
  "notification_channels",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type", { enum: CHANNEL_TYPES }).notNull(),
    // JSON {url, signingKey?} sealed with lib/crypto under "notification-channel:<id>": a webhook URL is a credential.
    secret: text("secret").notNull(),
    // What the list shows instead of the URL: its host only.
    host: text("host").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("notification_channels_name_unique").on(t.name)],
);

export const notificationRules = sqliteTable(
  "notification_rules",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    events: text("events", { mode: "json" }).$type<NotificationEvent[]>().notNull(),
    // Null: every configuration.
    configurationId: text("configuration_id"),
    // Null: every cluster.
    selector: text("selector", { mode: "json" }).$type<LabelSelector>(),
    minSeverity: text("min_severity", { enum: SEVERITIES }).notNull(),
    channelIds: text("channel_ids", { mode: "json" }).$type<string[]>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("notification_rules_name_unique").on(t.name)],
);

export const NOTIFICATION_EVENT_STATES = ["pending", "claimed", "done"] as const;

/**
 * The outbox: one row per change seen. The dispatcher claims pending rows with one UPDATE (so two
 * dispatchers never take the same row), groups them and marks them done once sent.
 */
export const notificationEvents = sqliteTable(
  "notification_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type").$type<NotificationEvent>().notNull(),
    // The thing whose state changed (cluster/configuration pair, cluster, rollout): repeats of one key in a batch collapse to the latest.
    dedupeKey: text("dedupe_key").notNull(),
    clusterId: text("cluster_id"),
    clusterName: text("cluster_name"),
    configurationId: text("configuration_id"),
    configurationName: text("configuration_name"),
    // Words from the cluster or the coordinator (a reason, a gate message): escaped per target when sent.
    detail: text("detail"),
    // Path under NEXTAUTH_URL of the page that shows the problem.
    link: text("link").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    state: text("state", { enum: NOTIFICATION_EVENT_STATES }).notNull().default("pending"),
    claimToken: text("claim_token"),
    claimedAt: integer("claimed_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("notification_events_state_idx").on(t.state, t.id), index("notification_events_claim_idx").on(t.claimToken)],
);

export const notificationDeliveries = sqliteTable(
  "notification_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    // Names kept as text so the record outlives a deleted rule or channel. A test message has no rule.
    ruleId: text("rule_id"),
    ruleName: text("rule_name"),
    channelId: text("channel_id").notNull(),
    channelName: text("channel_name").notNull(),
    eventType: text("event_type").notNull(),
    eventCount: integer("event_count").notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    attempts: integer("attempts").notNull(),
  },
  (t) => [index("notification_deliveries_at_idx").on(t.at), index("notification_deliveries_channel_idx").on(t.channelId, t.at)],
);

export type NotificationChannel = typeof notificationChannels.$inferSelect;
export type NotificationRule = typeof notificationRules.$inferSelect;
export type NotificationEventRow = typeof notificationEvents.$inferSelect;
export type NewNotificationEvent = typeof notificationEvents.$inferInsert;
export type NotificationDelivery = typeof notificationDeliveries.$inferSelect;
