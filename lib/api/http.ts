import "server-only";
import { z } from "zod";
import { fieldErrors } from "@/lib/actions/result";
import { apiJson } from "./auth";

// Reading what an /api/v1 client sends: bodies with a size cap (a client may not make the server
// buffer megabytes), query strings and bodies through zod, and errors that name the field.

/** The largest request body /api/v1 reads; a push names at most 5,000 clusters (about 200 KiB of ids). */
export const MAX_API_BODY_BYTES = 256 * 1024;

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

/** 422 with the fields: `{ error, fieldErrors: { "clusterIds.3": "is listed twice" } }`. */
export function validationProblem(errors: Record<string, string>): Response {
  const list = Object.entries(errors).map(([field, message]) => `${field} ${message}`);
  return apiJson({ error: `invalid request: ${list.join("; ")}`, fieldErrors: errors }, 422);
}

const tooLarge = (limit: number) => apiJson({ error: `the request body is over the limit of ${limit} bytes`, limit }, 413);

/**
 * The body as JSON, read with a cap: a declared length over it is refused before reading, and
 * a body without one is counted as it streams and cancelled once over it. An empty body is `{}`.
 */
export async function readJsonBody(request: Request, limit = MAX_API_BODY_BYTES): Promise<Parsed<unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) return { ok: false, response: tooLarge(limit) };
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, response: tooLarge(limit) };
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return { ok: true, data: {} };
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, response: apiJson({ error: "the request body is not valid JSON", fieldErrors: { body: "is not valid JSON" } }, 400) };
  }
}

/** Field path -> message; a key the body may not have is named itself (zod reports it on the object). */
function apiFieldErrors(error: z.ZodError): Record<string, string> {
  const unknown: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const key of issue.keys) unknown[[...issue.path.map(String), key].join(".")] = "is not a field of this request";
  }
  const rest = new z.ZodError(error.issues.filter((issue) => issue.code !== "unrecognized_keys"));
  return { ...fieldErrors(rest), ...unknown };
}

/** Parses with zod; a failure is the 422 naming each field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, response: validationProblem(apiFieldErrors(parsed.error)) };
}

export const parseQuery = <S extends z.ZodType>(schema: S, request: Request) => parseWith(schema, Object.fromEntries(new URL(request.url).searchParams));

/** A JSON body (capped) parsed with zod. */
export async function parseBody<S extends z.ZodType>(schema: S, request: Request): Promise<Parsed<z.output<S>>> {
  const body = await readJsonBody(request);
  return body.ok ? parseWith(schema, body.data) : body;
}

export const notFound = (what: string) => apiJson({ error: `no such ${what}` }, 404);

/** Query parameters of every paginated list. */
export const pageQuerySchema = z.object({
  page: z.coerce.number({ error: "must be a whole number from 1" }).int("must be a whole number from 1").min(1, "must be a whole number from 1").max(100_000).default(1),
  pageSize: z.coerce.number({ error: "must be a whole number from 1 to 200" }).int("must be a whole number from 1 to 200").min(1, "must be a whole number from 1 to 200").max(200, "must be at most 200").default(50),
});

export type Page<T> = { page: number; pageSize: number; total: number; items: T[] };

/** One page of a list already in memory. */
export function paginate<T>(all: readonly T[], { page, pageSize }: { page: number; pageSize: number }): Page<T> {
  return { page, pageSize, total: all.length, items: all.slice((page - 1) * pageSize, page * pageSize) };
}
