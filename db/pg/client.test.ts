import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, startPgServer, type PgServer } from "@/test-support/pg-server";
import { isBusyError } from "../busy";
import { isUniqueViolation } from "../errors";
import { PostgresSyncClient, toPostgresSql } from "./client";

describe("SQLite's SQL as PostgreSQL reads it", () => {
  it("numbers placeholders, quotes camelCase names, and leaves quoted text and comments alone", () => {
    expect(toPostgresSql(`select a as clusterId, 'it''s ? here' as "y?" -- who's ?\nfrom t where x = ? and y like ? escape '\\' order by clusterId`)).toBe(
      `select a as "clusterId", 'it''s ? here' as "y?" -- who's ?\nfrom t where x = $1 and y like $2 escape '\\' order by "clusterId"`,
    );
    expect(toPostgresSql(`select cast(b as INTEGER) /* a ? */ from t`)).toBe(`select cast(b as INTEGER) /* a ? */ from t`);
  });

  it("takes the table off a conflict target's columns, and writes the schema's time default in PostgreSQL's words", () => {
    expect(toPostgresSql(`insert into "t" ("a", "b") values (?, ?) on conflict ("t"."a", "t"."b") do nothing`)).toBe(
      `insert into "t" ("a", "b") values ($1, $2) on conflict ("a", "b") do nothing`,
    );
    expect(toPostgresSql(`values ((unixepoch('subsec') * 1000))`)).toBe(`values ((extract(epoch from clock_timestamp()) * 1000)::bigint)`);
  });
});

describe("the PostgreSQL connection (real PostgreSQL 15)", () => {
  let server: PgServer;
  let url: string;
  const open: PostgresSyncClient[] = [];
  const connect = () => {
    const client = new PostgresSyncClient(url);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startPgServer();
    url = await createDatabase(server.adminUrl);
    connect().exec("create table items (id bigint primary key, name text not null unique, n bigint, flag bigint)");
  }, 120_000);

  afterAll(async () => {
    for (const client of open) client.close();
    await server?.stop();
  });

  it("answers as better-sqlite3 does: rows, raw rows, a plucked column, changes; numbers and booleans as SQLite gives them", () => {
    const db = connect();
    expect(db.prepare("insert into items (id, name, n) values (?, ?, ?), (?, ?, ?)").run(1, "a", 1_764_000_000_123, 2, "b", null)).toEqual({ changes: 2, lastInsertRowid: 0 });
    expect(db.prepare("select id, name, n from items order by id").all()).toEqual([
      { id: 1, name: "a", n: 1_764_000_000_123 },
      { id: 2, name: "b", n: null },
    ]);
    expect(db.prepare("select id, name from items where id = ?").raw().get(2)).toEqual([2, "b"]);
    expect(db.prepare("select count(*) from items").pluck().get()).toBe(2);
    expect(db.prepare("select sum(id) as total, exists (select 1 from items where id = 9) as found from items").get()).toEqual({ total: 3, found: 0 });
    expect(db.prepare("select id from items where id = ?").get(99)).toBeUndefined();
  });

  it("keeps a transaction's writes together, rolls them all back when it throws, and refuses an async function", () => {
    const db = connect();
    const add = db.transaction((id: number) => {
      db.prepare("insert into items (id, name) values (?, ?)").run(id, `t${id}`);
      db.transaction(() => db.prepare("insert into items (id, name) values (?, ?)").run(id + 1, `t${id + 1}`))();
      return id;
    });
    expect(add(10)).toBe(10);
    expect(() =>
      db.transaction(() => {
        db.prepare("insert into items (id, name) values (?, ?)").run(20, "t20");
        db.prepare("insert into items (id, name) values (?, ?)").run(21, "t10");
      })(),
    ).toThrow(/duplicate key/);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare("select id from items where id >= 10 order by id").pluck().all()).toEqual([10, 11]);
    expect(() => db.transaction(async () => 1)()).toThrow(/cannot return a promise/);
    expect(db.inTransaction).toBe(false);
  });

  it("names a duplicate for either database's words, and only for the column it is about", () => {
    const db = connect();
    let caught: unknown;
    try {
      db.prepare("insert into items (id, name) values (?, ?)").run(30, "a");
    } catch (error) {
      caught = error;
    }
    expect(isUniqueViolation(caught, "items", "name")).toBe(true);
    expect(isUniqueViolation(caught, "items", "id")).toBe(false);
    expect(isUniqueViolation(caught, "other", "name")).toBe(false);
    expect(isUniqueViolation(new Error("UNIQUE constraint failed: items.name"), "items", "name")).toBe(true);
  });

  it("holds one writer at a time across connections, as SQLite does: a second writer waits its busy timeout and is told it is busy", () => {
    const first = connect();
    const second = connect();
    second.pragma("busy_timeout = 50");
    first.exec("BEGIN IMMEDIATE");
    try {
      let caught: unknown;
      const started = Date.now();
      try {
        second.transaction(() => second.prepare("update items set n = 1 where id = 1").run())();
      } catch (error) {
        caught = error;
      }
      expect(isBusyError(caught)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(second.inTransaction).toBe(false);
    } finally {
      first.exec("ROLLBACK");
    }
    expect(second.transaction(() => second.prepare("update items set n = 7 where id = 1").run().changes)()).toBe(1);
  });

  describe("writes held back under deferWrites", () => {
    const insert = (db: PostgresSyncClient, id: number, name: string) => db.prepare("insert into items (id, name) values (?, ?)").run(id, name);
    const ids = (db: PostgresSyncClient, from: number) => db.prepare("select id from items where id >= ? and id < ? order by id").pluck().all(from, from + 100);

    it("go with the next statement that needs an answer: a transaction of 50 writes is two round trips, not 52", () => {
      const db = connect();
      const plain = db.roundTrips;
      db.transaction(() => {
        for (let i = 0; i < 50; i++) insert(db, 1000 + i, `plain${i}`);
      })();
      expect(db.roundTrips - plain).toBe(52); // BEGIN with the writer lock, 50 writes, COMMIT
      const held = db.roundTrips;
      db.deferWrites(() =>
        db.transaction(() => {
          for (let i = 0; i < 50; i++) insert(db, 1100 + i, `held${i}`);
        })(),
      );
      expect(db.roundTrips - held).toBe(2); // BEGIN with the lock; the writes with COMMIT
      expect(ids(db, 1100)).toHaveLength(50);
      // A read sees the writes before it, and a write's count, when read, is sent for.
      const counted = db.deferWrites(() =>
        db.transaction(() => {
          insert(db, 1200, "seen");
          const seen = ids(db, 1200);
          const changed = db.prepare("update items set n = 5 where id >= 1100 and id < 1150").run();
          return { seen, changes: changed.changes };
        })(),
      );
      expect(counted).toEqual({ seen: [1200], changes: 50 });
    });

    it("throw a failed write from its own savepoint, undo only that savepoint, and commit the rest (db/batch.ts's shape)", () => {
      const db = connect();
      const outcomes: string[] = [];
      db.deferWrites(() =>
        db.transaction(() => {
          for (const [id, name] of [[1300, "b1"], [1301, "held0"], [1302, "b3"]] as const) {
            try {
              db.transaction(() => {
                insert(db, id, name);
                insert(db, id + 50, `${name}-second`);
              })();
              outcomes.push("ok");
            } catch (error) {
              outcomes.push(isUniqueViolation(error, "items", "name") ? "duplicate" : String(error));
            }
          }
        })(),
      );
      expect(outcomes).toEqual(["ok", "duplicate", "ok"]);
      // The failed one left nothing, not even its first write; the others both of theirs.
      expect(ids(db, 1300)).toEqual([1300, 1302, 1350, 1352]);
      expect(db.inTransaction).toBe(false);
    });

    it("roll the whole transaction back when a failed write has no savepoint of its own; drizzle-style savepoints end as ours do", () => {
      const db = connect();
      expect(() =>
        db.deferWrites(() =>
          db.transaction(() => {
            insert(db, 1400, "c1");
            insert(db, 1401, "held1");
          })(),
        ),
      ).toThrow(/duplicate key/);
      expect(db.inTransaction).toBe(false);
      expect(ids(db, 1400)).toEqual([]);
      // Savepoints written as statements (drizzle's tx.transaction): a failure is thrown at the release and undone to it.
      let caught: unknown;
      db.deferWrites(() =>
        db.transaction(() => {
          insert(db, 1410, "d1");
          db.prepare("savepoint sp0").run();
          try {
            insert(db, 1411, "held2");
            db.prepare("release savepoint sp0").run();
          } catch (error) {
            caught = error;
            db.prepare("rollback to savepoint sp0").run();
          }
        })(),
      );
      expect(isUniqueViolation(caught, "items", "name")).toBe(true);
      expect(ids(db, 1410)).toEqual([1410]);
    });
  });

  it("refuses statements once closed, as better-sqlite3 does, instead of waiting for a worker that is gone", () => {
    const db = new PostgresSyncClient(url);
    expect(db.prepare("select 1 as one").get()).toEqual({ one: 1 });
    db.close();
    const started = Date.now();
    expect(() => db.prepare("select 1").get()).toThrow(/not open/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("opens a new connection when the server dropped the old one", () => {
    const db = connect();
    const pid = db.prepare("select pg_backend_pid()").pluck().get();
    const admin = connect();
    admin.prepare("select pg_terminate_backend(?)").run(pid);
    for (let i = 0; i < 100 && admin.prepare("select count(*) from pg_stat_activity where pid = ?").pluck().get(pid) !== 0; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    // The statement that finds the connection gone fails; the next one runs on a new connection.
    try {
      db.prepare("select 1").get();
    } catch {
      // The worker learned of the drop only now.
    }
    expect(db.prepare("select count(*) from items").pluck().get()).toBeGreaterThan(0);
    expect(db.prepare("select pg_backend_pid()").pluck().get()).not.toBe(pid);
  });
});
