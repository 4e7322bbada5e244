import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { LabelSelector } from "@/lib/validation/label-selector";

// Maintenance windows and freezes: when pushes may reach the clusters a selector matches.
// deny: no push while the window is open. allow: clusters it matches take pushes only while
// one of their allow windows is open. Deny wins over allow (as Argo CD's sync windows).
export const WINDOW_KINDS = ["allow", "deny"] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

export const maintenanceWindows = sqliteTable(
  "maintenance_windows",
  {
    id: text("id").primaryKey(),
    // A DNS-1123 label, unique: it names the window on held rows and in the audit log.
    name: text("name").notNull(),
    kind: text("kind", { enum: WINDOW_KINDS }).notNull(),
    selector: text("selector", { mode: "json" }).$type<LabelSelector>().notNull(),
    // Either a recurring window (a five-field cron start, open for durationMinutes, read in timeZone)...
    cron: text("cron"),
    durationMinutes: integer("duration_minutes"),
    timeZone: text("time_zone").notNull().default("UTC"),
    // ...or a one-off range.
    startsAt: integer("starts_at", { mode: "timestamp_ms" }),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }),
    reason: text("reason").notNull().default(""),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("maintenance_windows_name_unique").on(t.name), index("maintenance_windows_kind_idx").on(t.kind)],
);

export type MaintenanceWindow = typeof maintenanceWindows.$inferSelect;
