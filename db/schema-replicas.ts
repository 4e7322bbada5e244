import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The portal processes sharing this database (issue 17). Each writes its heartbeat every few
 * seconds; a row whose heartbeat is older than FLEETLINE_REPLICA_TTL_S belongs to a process
 * that is gone, and whoever notices deletes it. The live rows divide the clusters between them.
 */
export const replicas = sqliteTable(
  "replicas",
  {
    id: text("id").primaryKey(),
    host: text("host").notNull(),
    pid: integer("pid").notNull(),
    // Random per process: two processes started with the same FLEETLINE_REPLICA_ID tell each other apart.
    instance: text("instance").notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("replicas_heartbeat_idx").on(t.heartbeatAt)],
);

/**
 * Named leases for work exactly one replica does (retention, waiver expiries): the holder renews
 * before expiresAt; anyone may take it after. Taken and renewed by one conditional upsert.
 */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
});

export type ReplicaRow = typeof replicas.$inferSelect;
export type LeaseRow = typeof leases.$inferSelect;
