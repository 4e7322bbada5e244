// The SQL that SQLite and PostgreSQL spell differently, as drizzle chunks for the database this
// process talks to (issue 17): queries outside db/ build on these and never ask which database
// it is. JSON columns are text in both databases, so every PostgreSQL branch casts to jsonb first
// and hands text back; a bare parameter inside a PostgreSQL function call must get its type from
// the call (text here), which is why paths are bound one step per parameter.
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { currentDialect } from "./dialect";

/** One step of a JSON path: an object key, an array index, or an SQL expression giving a key. */
export type JsonStep = string | number | SQL;

const isPostgres = () => currentDialect() === "postgres";

// A FROM item's alias is written into the SQL text: only plain lowercase names.
function alias(name: string): SQL {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`SQL alias "${name}": only lowercase letters, digits and _`);
  return sql.raw(name);
}

// SQLite's path syntax ($."key"[0]) has no escape for a double quote inside a key.
function sqlitePath(path: readonly JsonStep[]): SQL {
  if (path.every((step) => typeof step !== "object")) {
    return sql`${path.map((step) => (typeof step === "number" ? `[${step}]` : quotedKey(step))).reduce((a, b) => a + b, "$")}`;
  }
  const parts = path.map((step) => (typeof step === "number" ? sql`${`[${step}]`}` : typeof step === "string" ? sql`${quotedKey(step)}` : sql`'."' || ${step} || '"'`));
  return sql`('$' || ${sql.join(parts, sql` || `)})`;
}

function quotedKey(key: string): string {
  if (key.includes('"')) throw new Error(`JSON key ${JSON.stringify(key)}: a double quote cannot be addressed in a path`);
  return `."${key}"`;
}

const pgSteps = (path: readonly JsonStep[]): SQL[] => path.map((step) => (typeof step === "object" ? sql`(${step})::text` : sql`${String(step)}`));
const asJsonb = (json: SQLWrapper): SQL => sql`(${json})::jsonb`;

/** The JSON value `json` holds at `path` (one step at least). */
function pgPathValue(json: SQLWrapper, path: readonly JsonStep[]): SQL {
  return path.length === 0 ? asJsonb(json) : sql`jsonb_extract_path(${asJsonb(json)}, ${sql.join(pgSteps(path), sql`, `)})`;
}

/**
 * The string at `path` inside a JSON text, as text; null when the path is missing. For string
 * leaves (ids, label values): PostgreSQL gives every leaf back as text, so read numbers with jsonInteger.
 */
export function jsonText(json: SQLWrapper, ...path: JsonStep[]): SQL {
  if (path.length === 0) throw new Error("jsonText needs a path");
  if (isPostgres()) return sql`jsonb_extract_path_text(${asJsonb(json)}, ${sql.join(pgSteps(path), sql`, `)})`;
  return sql`json_extract(${json}, ${sqlitePath(path)})`;
}

/** The integer at `path` inside a JSON text, as an integer (comparable with integer columns); null when missing. */
export function jsonInteger(json: SQLWrapper, ...path: JsonStep[]): SQL {
  if (isPostgres()) return sql`(${jsonText(json, ...path)})::bigint`;
  return jsonText(json, ...path);
}

/**
 * A FROM item: one row per element of the JSON array at `path` (the whole text when no path), with
 * the element in `<as>.value` (text for a string, JSON text for an object). A missing path gives no rows.
 */
export function jsonArrayValues(json: SQLWrapper, as: string, ...path: JsonStep[]): SQL {
  if (isPostgres()) return sql`jsonb_array_elements_text(${pgPathValue(json, path)}) as ${alias(as)}(value)`;
  return path.length === 0 ? sql`json_each(${json}) as ${alias(as)}` : sql`json_each(${json}, ${sqlitePath(path)}) as ${alias(as)}`;
}

/** A FROM item: one row per member of the JSON object of strings (labels) at `path`, as `<as>.key` and `<as>.value`. */
export function jsonObjectEntries(json: SQLWrapper, as: string, ...path: JsonStep[]): SQL {
  if (isPostgres()) return sql`jsonb_each_text(${pgPathValue(json, path)}) as ${alias(as)}(key, value)`;
  return path.length === 0 ? sql`json_each(${json}) as ${alias(as)}` : sql`json_each(${json}, ${sqlitePath(path)}) as ${alias(as)}`;
}

/**
 * `(select value from …)` over a list bound as ONE parameter (a JSON array), for `x in ${textList(ids)}`:
 * a thousand ids stay one parameter, far from either database's limit on parameters. A placeholder
 * instead of the values makes a statement prepared once for lists of any length (bind the JSON text).
 */
export function textList(values: readonly string[] | SQLWrapper): SQL {
  const list = isStringList(values) ? JSON.stringify(values) : values;
  if (isPostgres()) return sql`(select value from jsonb_array_elements_text(${list}::jsonb) as list(value))`;
  return sql`(select value from json_each(${list}))`;
}

const isStringList = (values: readonly string[] | SQLWrapper): values is readonly string[] => Array.isArray(values);

/** An aggregate: the group's values as a JSON array text (`[]` for no rows in both databases). */
export function jsonArrayAgg(value: SQLWrapper): SQL {
  if (isPostgres()) return sql`coalesce(json_agg(${value}), '[]'::json)::text`;
  return sql`json_group_array(${value})`;
}

/** A JSON array text of the values, in order (each a typed expression: a column, an aggregate, a cast). */
export function jsonArray(...values: SQLWrapper[]): SQL {
  const list = sql.join(values, sql`, `);
  if (isPostgres()) return sql`json_build_array(${list})::text`;
  return sql`json_array(${list})`;
}

/** A JSON text put inside jsonArray as JSON (an array, an object), not as a quoted string. */
export function jsonEmbedded(json: SQLWrapper): SQL {
  if (isPostgres()) return sql`(${json})::json`;
  return sql`json(${json})`;
}

/**
 * The JSON text with `path` (object keys) set to `value`, as text. `value` must carry its own type
 * (a column or an arithmetic expression), not be a bare parameter: PostgreSQL converts it with to_jsonb.
 */
export function jsonSet(json: SQLWrapper, path: readonly string[], value: SQLWrapper): SQL {
  if (path.length === 0) throw new Error("jsonSet needs a path");
  if (isPostgres()) return sql`jsonb_set(${asJsonb(json)}, array[${sql.join(pgSteps(path), sql`, `)}]::text[], to_jsonb(${value}))::text`;
  return sql`json_set(${json}, ${sqlitePath(path)}, ${value})`;
}

/** `text` with LIKE's wildcards (and the escape character) taken literally, for likeInsensitive's patterns. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * LIKE as SQLite runs it, case-insensitive (PostgreSQL's LIKE is not: ILIKE), with `\` as the escape
 * character in both (SQLite has none unless told, PostgreSQL's default is `\`).
 */
export function likeInsensitive(value: SQLWrapper, pattern: string): SQL {
  if (isPostgres()) return sql`${value} ilike ${pattern} escape '\\'`;
  return sql`${value} like ${pattern} escape '\\'`;
}

/** `value` contains `needle` (taken literally), ignoring case. */
export const containsInsensitive = (value: SQLWrapper, needle: string): SQL => likeInsensitive(value, `%${escapeLike(needle)}%`);

/** `value` starts with `prefix` (taken literally), ignoring case. */
export const startsWithInsensitive = (value: SQLWrapper, prefix: string): SQL => likeInsensitive(value, `${escapeLike(prefix)}%`);
