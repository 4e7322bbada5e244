import { is, SQL, sql } from "drizzle-orm";
import { bigint, doublePrecision, foreignKey, index, pgTable, primaryKey, text, uniqueIndex, type PgColumn, type PgTableExtraConfigValue } from "drizzle-orm/pg-core";
import { getTableConfig, SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import * as compliance from "../schema-compliance";
import * as configurationsSchema from "../schema-configurations";
import * as notifications from "../schema-notifications";
import * as policy from "../schema-policy";
import * as replicasSchema from "../schema-replicas";
import * as core from "../schema";
import * as status from "../schema-status";
import * as versions from "../schema-versions";
import * as windows from "../schema-windows";

/**
 * The PostgreSQL tables, worked out from the SQLite schema (db/schema*.ts stays the one place a
 * table is described): same names, same columns, same keys, indexes and foreign keys. drizzle-kit
 * generates db/migrations-pg from this file (drizzle.pg.config.ts).
 *
 * Types: SQLite integers (counts, versions, booleans, millisecond times) become bigint, read back as
 * JS numbers (db/pg/worker.mjs); text, JSON text and enums stay text, so the queries' values and
 * comparisons are the same on both. An autoincrement key becomes an identity column; drizzle's
 * SQLite inserts send NULL for it, which the migration's fill-id trigger replaces (0001_fill_ids).
 */

type AnyColumn = { name: string; columnType: string; notNull: boolean; primary: boolean; default: unknown; hasDefault: boolean; isUnique: boolean; mapToDriverValue(v: unknown): unknown };

// SQL defaults written for SQLite, and what PostgreSQL runs for them.
const SQL_DEFAULTS = new Map<string, SQL>([["(unixepoch('subsec') * 1000)", sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`]]);

function sqlText(value: SQL): string {
  return value.queryChunks.map((chunk) => (typeof chunk === "object" && chunk !== null && "value" in chunk ? (chunk as { value: string[] }).value.join("") : String(chunk))).join("");
}

function pgColumn(column: AnyColumn, autoIncrement: boolean) {
  const base =
    column.columnType === "SQLiteText" || column.columnType === "SQLiteTextJson"
      ? text(column.name)
      : column.columnType === "SQLiteReal"
        ? doublePrecision(column.name)
        : ["SQLiteInteger", "SQLiteTimestamp", "SQLiteBoolean"].includes(column.columnType)
          ? bigint(column.name, { mode: "number" })
          : null;
  if (!base) throw new Error(`db/pg/schema: no PostgreSQL type for the SQLite column ${column.name} (${column.columnType})`);
  let built = column.notNull ? base.notNull() : base;
  if (column.hasDefault && column.default !== undefined) {
    if (is(column.default, SQL)) {
      const translated = SQL_DEFAULTS.get(sqlText(column.default));
      if (!translated) throw new Error(`db/pg/schema: the SQL default of ${column.name} (${sqlText(column.default)}) has no PostgreSQL form`);
      built = built.default(translated);
    } else {
      // The value as SQLite stores it (JSON as text, booleans as 0/1).
      built = built.default(column.mapToDriverValue(column.default) as never);
    }
  }
  if (column.primary) built = built.primaryKey();
  if (autoIncrement && "generatedByDefaultAsIdentity" in built) built = (built as ReturnType<typeof bigint>).generatedByDefaultAsIdentity() as typeof built;
  if (column.isUnique) built = built.unique();
  return built;
}

const byName = new Map<string, ReturnType<typeof pgTable>>();

function pgFrom(table: SQLiteTable) {
  const config = getTableConfig(table);
  const columns = Object.fromEntries(
    config.columns.map((column) => [column.name, pgColumn(column as unknown as AnyColumn, Boolean((column as { autoIncrement?: boolean }).autoIncrement))]),
  );
  const converted = pgTable(config.name, columns, (t) => {
    const col = (c: unknown): PgColumn => {
      if (!is(c, SQLiteColumn)) throw new Error(`db/pg/schema: ${config.name} has an index or key on an expression`);
      return (t as Record<string, PgColumn>)[c.name]!;
    };
    const extra: PgTableExtraConfigValue[] = [];
    for (const pk of config.primaryKeys) extra.push(primaryKey({ name: pk.getName(), columns: pk.columns.map(col) as [PgColumn, ...PgColumn[]] }));
    for (const ix of config.indexes) {
      const [first, ...rest] = ix.config.columns.map(col);
      const builder = (ix.config.unique ? uniqueIndex : index)(ix.config.name).on(first!, ...rest);
      extra.push(ix.config.where ? builder.where(ix.config.where) : builder);
    }
    for (const fk of config.foreignKeys) {
      const ref = fk.reference();
      const target = byName.get(getTableConfig(ref.foreignTable).name);
      if (!target) throw new Error(`db/pg/schema: ${config.name} refers to a table not converted`);
      const targetColumns = target as unknown as Record<string, PgColumn>;
      let built = foreignKey({
        name: fk.getName(),
        columns: ref.columns.map(col) as [PgColumn, ...PgColumn[]],
        foreignColumns: ref.foreignColumns.map((c) => targetColumns[c.name]!) as [PgColumn, ...PgColumn[]],
      });
      if (fk.onDelete) built = built.onDelete(fk.onDelete);
      if (fk.onUpdate) built = built.onUpdate(fk.onUpdate);
      extra.push(built);
    }
    return extra;
  });
  byName.set(config.name, converted);
  return converted;
}

// Tables a foreign key points at come first.
export const users = pgFrom(core.users);
export const sessions = pgFrom(core.sessions);
export const apiTokens = pgFrom(core.apiTokens);
export const loginThrottle = pgFrom(core.loginThrottle);
export const auditLog = pgFrom(core.auditLog);
export const appSettings = pgFrom(core.appSettings);
export const clusters = pgFrom(core.clusters);
export const clusterHealth = pgFrom(core.clusterHealth);
export const clusterHealthEvents = pgFrom(core.clusterHealthEvents);
export const clusterFluxObjects = pgFrom(core.clusterFluxObjects);
export const credentials = pgFrom(configurationsSchema.credentials);
export const configurations = pgFrom(configurationsSchema.configurations);
export const configurationVersions = pgFrom(configurationsSchema.configurationVersions);
export const configurationTargets = pgFrom(configurationsSchema.configurationTargets);
export const rollouts = pgFrom(configurationsSchema.rollouts);
export const rolloutClusters = pgFrom(configurationsSchema.rolloutClusters);
export const assignments = pgFrom(compliance.assignments);
export const complianceEpoch = pgFrom(compliance.complianceEpoch);
export const complianceCells = pgFrom(compliance.complianceCells);
export const complianceCellsState = pgFrom(compliance.complianceCellsState);
export const notificationChannels = pgFrom(notifications.notificationChannels);
export const notificationRules = pgFrom(notifications.notificationRules);
export const notificationEvents = pgFrom(notifications.notificationEvents);
export const notificationDeliveries = pgFrom(notifications.notificationDeliveries);
export const policyResults = pgFrom(policy.policyResults);
export const policyViolations = pgFrom(policy.policyViolations);
export const policyReads = pgFrom(policy.policyReads);
export const policyWaivers = pgFrom(policy.policyWaivers);
export const policyResultHistory = pgFrom(policy.policyResultHistory);
export const replicas = pgFrom(replicasSchema.replicas);
export const leases = pgFrom(replicasSchema.leases);
export const configurationStatus = pgFrom(status.configurationStatus);
export const configurationStatusHistory = pgFrom(status.configurationStatusHistory);
export const objectStatus = pgFrom(status.objectStatus);
export const sourceStatus = pgFrom(status.sourceStatus);
export const workloadImages = pgFrom(versions.workloadImages);
export const chartVersions = pgFrom(versions.chartVersions);
export const versionFirstSeen = pgFrom(versions.versionFirstSeen);
export const versionReads = pgFrom(versions.versionReads);
export const maintenanceWindows = pgFrom(windows.maintenanceWindows);

/** The table names converted, for the test that every SQLite table has its PostgreSQL twin. */
export const convertedTables = (): string[] => [...byName.keys()];
