import { env } from "@/lib/env";

/** Which database a DATABASE_URL names: `postgres://` or `postgresql://` is PostgreSQL; a path or `file:` URL is SQLite. */
export type Dialect = "sqlite" | "postgres";

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//i.test(url.trim()) ? "postgres" : "sqlite";
}

/** The database a DATABASE_URL names, fit for a log line: a PostgreSQL URL loses its password. */
export function describeDatabase(url: string): string {
  if (dialectOf(url) === "sqlite") return url;
  try {
    const parsed = new URL(url.trim());
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return "postgres (an unreadable URL)";
  }
}

/** The dialect of this process's database. Only db/ asks: queries elsewhere use db/'s SQL helpers. */
export function currentDialect(): Dialect {
  return dialectOf(env().DATABASE_URL);
}
