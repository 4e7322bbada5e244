import { PostgresError } from "./pg/client";

/**
 * Whether `error` is a write refused because `table.column` must be unique (a duplicate name),
 * in either database's words: SQLite's "UNIQUE constraint failed: table.column", PostgreSQL's
 * unique_violation on that table with the column in its key. drizzle may wrap the driver's error.
 */
export function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof PostgresError) return e.code === "23505" && e.table === table && new RegExp(`Key \\((.*, )?${column}(, .*)?\\)=`).test(e.message);
    if (String(e).includes(`UNIQUE constraint failed: ${table}.${column}`)) return true;
  }
  return false;
}
