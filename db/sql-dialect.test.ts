import { PgDialect } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { createDatabase, startPgServer, type PgServer } from "@/test-support/pg-server";
import { useTempDatabase } from "@/test-support/temp-db";

// Every helper's SQL, run for real: the SQLite branch on a migrated SQLite file, the PostgreSQL
// branch on a throwaway PostgreSQL 15 server. Both must give the same answers.

type Helpers = typeof import("./sql-dialect");
type Run = (query: SQL) => Promise<Record<string, unknown>[]>;

const DOC = JSON.stringify({
  source: { credentialId: "cred-1", verify: { credentialId: "cred-2" } },
  kustomizations: [{ name: "apps", decryption: { credentialId: "cred-3" } }, { name: "infra" }],
  notifications: { count: 3 },
  list: ["alpha", "beta", "gamma"],
  labels: { env: "prod", tier: "web" },
});
// The document as a typed one-row table: a bare parameter has no type in PostgreSQL.
const withDoc = (body: SQL) => sql`with d(doc) as (select cast(${DOC} as text)) ${body}`;

function describeDialect(name: string, setup: () => Promise<{ helpers: Helpers; run: Run; close(): Promise<void> }>) {
  describe(`SQL helpers on ${name}`, () => {
    let h: Helpers;
    let run: Run;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ helpers: h, run, close } = await setup());
    }, 60_000);
    afterAll(async () => close?.());

    it("reads string leaves by key, by index and by a key an expression gives; a missing path is null", async () => {
      const [row] = await run(
        withDoc(sql`select ${h.jsonText(sql`doc`, "source", "credentialId")} as a, ${h.jsonText(sql`doc`, "source", "verify", "credentialId")} as b,
          ${h.jsonText(sql`doc`, "list", 1)} as c, ${h.jsonText(sql`doc`, sql`'labels'`, sql`'env'`)} as d, ${h.jsonText(sql`doc`, "source", "nothing")} as e from d`),
      );
      expect(row).toEqual({ a: "cred-1", b: "cred-2", c: "beta", d: "prod", e: null });
    });

    it("reads an integer leaf as a number that takes part in arithmetic", async () => {
      const [row] = await run(withDoc(sql`select ${h.jsonInteger(sql`doc`, "notifications", "count")} + 1 as n, ${h.jsonInteger(sql`doc`, "missing")} as m from d`));
      expect(Number(row!.n)).toBe(4);
      expect(row!.m).toBeNull();
    });

    it("lists array elements in order, at a path and of a whole array text, objects as JSON text", async () => {
      const strings = await run(withDoc(sql`select k.value as value from d, ${h.jsonArrayValues(sql`doc`, "k", "list")}`));
      expect(strings.map((r) => r.value)).toEqual(["alpha", "beta", "gamma"]);
      const whole = await run(sql`select k.value as value from ${h.jsonArrayValues(sql`cast(${JSON.stringify(["x", "y"])} as text)`, "k")}`);
      expect(whole.map((r) => r.value)).toEqual(["x", "y"]);
      const matched = await run(
        withDoc(sql`select count(*) as n from d, ${h.jsonArrayValues(sql`doc`, "k", "kustomizations")} where ${h.jsonText(sql`k.value`, "decryption", "credentialId")} = ${"cred-3"}`),
      );
      expect(Number(matched[0]!.n)).toBe(1);
      const missing = await run(withDoc(sql`select count(*) as n from d, ${h.jsonArrayValues(sql`doc`, "k", "nowhere")}`));
      expect(Number(missing[0]!.n)).toBe(0);
    });

    it("lists an object's members as key and value", async () => {
      const rows = await run(withDoc(sql`select l.key as key, l.value as value from d, ${h.jsonObjectEntries(sql`doc`, "l", "labels")} order by l.key`));
      expect(rows).toEqual([
        { key: "env", value: "prod" },
        { key: "tier", value: "web" },
      ]);
    });

    it("matches against a list bound as one parameter, a thousand ids included", async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => `id-${i}`);
      const [row] = await run(sql`select count(*) as n from ${h.jsonArrayValues(sql`cast(${JSON.stringify(["id-7", "id-999", "id-1000", "other"])} as text)`, "k")} where k.value in ${h.textList(ids)}`);
      expect(Number(row!.n)).toBe(2);
      const [none] = await run(sql`select count(*) as n from (select 'a' as v) t where t.v in ${h.textList([])}`);
      expect(Number(none!.n)).toBe(0);
    });

    it("aggregates values into a JSON array and builds arrays with embedded JSON", async () => {
      const [agg] = await run(withDoc(sql`select ${h.jsonArrayAgg(sql`k.value`)} as a from d, ${h.jsonArrayValues(sql`doc`, "k", "list")}`));
      expect(JSON.parse(agg!.a as string).sort()).toEqual(["alpha", "beta", "gamma"]);
      const [empty] = await run(withDoc(sql`select ${h.jsonArrayAgg(sql`k.value`)} as a from d, ${h.jsonArrayValues(sql`doc`, "k", "nowhere")}`));
      expect(JSON.parse(empty!.a as string)).toEqual([]);
      const [built] = await run(
        withDoc(sql`select ${h.jsonArray(h.jsonText(sql`doc`, "source", "credentialId"), h.jsonEmbedded(sql`cast(${'["a","b"]'} as text)`), sql`count(*)`, sql`null`)} as a from d group by doc`),
      );
      expect(JSON.parse(built!.a as string)).toEqual(["cred-1", ["a", "b"], 1, null]);
    });

    it("sets a key inside the JSON text and keeps the rest", async () => {
      const [row] = await run(withDoc(sql`select ${h.jsonSet(sql`doc`, ["notifications", "count"], sql`coalesce(${h.jsonInteger(sql`doc`, "notifications", "count")}, 1) + 5`)} as doc from d`));
      const doc = JSON.parse(row!.doc as string);
      expect(doc.notifications).toEqual({ count: 8 });
      expect(doc.source.credentialId).toBe("cred-1");
      const [added] = await run(withDoc(sql`select ${h.jsonSet(sql`doc`, ["aggregated"], sql`cast(${"per minute"} as text)`)} as doc from d`));
      expect(JSON.parse(added!.doc as string).aggregated).toBe("per minute");
    });

    it("matches LIKE patterns ignoring case, the user's %, _ and \\ taken literally", async () => {
      const names = ["Prod_East", "prodXeast", "PROD-west", "50% off", "a\\b", "backslash"];
      const values = sql.join(
        names.map((n) => sql`select cast(${n} as text) as name`),
        sql` union all `,
      );
      const matching = async (condition: SQL) => (await run(sql`select name from (${values}) t where ${condition} order by name`)).map((r) => r.name);
      expect(await matching(h.containsInsensitive(sql`name`, "d_e"))).toEqual(["Prod_East"]);
      expect(await matching(h.containsInsensitive(sql`name`, "prod"))).toEqual(["PROD-west", "Prod_East", "prodXeast"]);
      expect(await matching(h.containsInsensitive(sql`name`, "%"))).toEqual(["50% off"]);
      expect(await matching(h.containsInsensitive(sql`name`, "\\"))).toEqual(["a\\b"]);
      expect(await matching(h.startsWithInsensitive(sql`name`, "prod-"))).toEqual(["PROD-west"]);
      expect(await matching(h.likeInsensitive(sql`name`, "%EAST"))).toEqual(["Prod_East", "prodXeast"]);
    });

    it("refuses an alias or a key it cannot write safely", () => {
      expect(() => h.jsonArrayValues(sql`doc`, "k; drop table x", "list")).toThrow(/alias/);
      expect(() => h.jsonText(sql`doc`)).toThrow(/path/);
    });
  });
}

const pgDialect = new PgDialect();
let server: PgServer | undefined;
afterAll(async () => server?.stop());

describeDialect("SQLite", async () => {
  vi.resetModules();
  const temp = await useTempDatabase();
  const helpers = await import("./sql-dialect");
  expect((await import("./dialect")).currentDialect()).toBe("sqlite");
  return { helpers, run: async (query) => temp.db.all<Record<string, unknown>>(query), close: async () => temp.cleanup() };
});

describeDialect("PostgreSQL 15", async () => {
  server = await startPgServer();
  const url = await createDatabase(server.adminUrl);
  vi.resetModules();
  process.env.DATABASE_URL = url;
  const helpers = await import("./sql-dialect");
  expect((await import("./dialect")).currentDialect()).toBe("postgres");
  const client = new pg.Client(url);
  await client.connect();
  return {
    helpers,
    run: async (query) => {
      const { sql: text, params } = pgDialect.sqlToQuery(query);
      return (await client.query(text, params)).rows as Record<string, unknown>[];
    },
    close: () => client.end(),
  };
});
