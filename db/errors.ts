import type { PostgresError } from "./pg/client";

/**
 * Whether `error` is a write refused because `table.column` must be unique (a duplicate name),
 * in either database's words: SQLite's "UNIQUE constraint failed: table.column", PostgreSQL's
 * unique_violation on that table with the column in its key. drizzle may wrap the driver's error.
 */
export function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    // By name, not instanceof: Next may load db/pg/client.ts in more than one chunk.
    if ((e as Error).name === "PostgresError") {
      const pgError = e as PostgresError;
      return pgError.code === "23505" && pgError.table === table && new RegExp(`Key \\((.*, )?${column}(, .*)?\\)=`).test(pgError.message);
    }
    if (String(e).includes(`UNIQUE constraint failed: ${table}.${column}`)) return true;
  }
  return false;
}
