// The PostgreSQL connection's worker thread (db/pg/client.ts). Fleetline's data layer is synchronous
// (drizzle over better-sqlite3); on PostgreSQL each statement is sent from here, on one connection,
// while the caller waits on a shared-memory flag. One connection keeps a transaction's statements
// together and their order the caller's.
// Plain JavaScript: it runs outside Next's bundle and vitest's transform.
import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";

// Values as SQLite gives them: bigint (counts, millisecond times) and numeric as numbers, booleans as 1/0.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));
pg.types.setTypeParser(16, (value) => (value === "t" ? 1 : 0));

let url = "";
let client = null;

async function connection() {
  if (client) return client;
  const next = new pg.Client({ connectionString: url, application_name: "fleetline", statement_timeout: 60_000 });
  // A dropped connection (server restart, failover) is replaced on the next statement; a transaction
  // it was in is lost, and its caller sees the error.
  next.on("error", () => {
    if (client === next) client = null;
  });
  await next.connect();
  client = next;
  return client;
}

function failure(error) {
  return { error: { message: error?.message ?? String(error), code: error?.code, detail: error?.detail, table: error?.table, constraint: error?.constraint } };
}

async function answer(request) {
  try {
    switch (request.op) {
      case "open": {
        url = request.url;
        await connection();
        return { rows: [], count: 0 };
      }
      case "query": {
        const db = await connection();
        const result = await db.query({ text: request.sql, values: request.params, rowMode: request.array ? "array" : undefined });
        return { rows: result.rows, count: result.rowCount ?? 0 };
      }
      case "batch": {
        // In order; after the first failure only the statements marked `always` (a rollback) run.
        const db = await connection();
        const results = [];
        let failed;
        for (const [index, item] of request.items.entries()) {
          if (failed && !item.always) continue;
          try {
            const result = item.params ? await db.query({ text: item.sql, values: item.params, rowMode: item.array ? "array" : undefined }) : await db.query(item.sql);
            results[index] = { rows: result.rows ?? [], count: result.rowCount ?? 0 };
          } catch (error) {
            failed ??= { index, ...failure(error) };
          }
        }
        return { rows: [], count: 0, results, ...(failed ? { failedAt: failed.index, error: failed.error } : {}) };
      }
      case "exec": {
        const db = await connection();
        await db.query(request.sql);
        return { rows: [], count: 0 };
      }
      case "migrate": {
        const db = await connection();
        const { drizzle } = await import("drizzle-orm/node-postgres");
        const { migrate } = await import("drizzle-orm/node-postgres/migrator");
        // One replica migrates at a time: the others wait on the lock, then find nothing to do.
        await db.query("select pg_advisory_lock(7305001)");
        try {
          await migrate(drizzle(db), { migrationsFolder: request.folder });
        } finally {
          await db.query("select pg_advisory_unlock(7305001)");
        }
        return { rows: [], count: 0 };
      }
      case "close": {
        const db = client;
        client = null;
        if (db) await db.end();
        return { rows: [], count: 0 };
      }
      default:
        return failure(new Error(`unknown request ${request.op}`));
    }
  } catch (error) {
    return failure(error);
  }
}

// The caller sleeps on `flag` until it is set: the answer goes on the reply port first, where the
// caller reads it without its event loop (receiveMessageOnPort).
const { replies, flag } = workerData;
const signal = new Int32Array(flag);
parentPort.on("message", async ({ id, request }) => {
  const reply = await answer(request);
  replies.postMessage({ id, reply });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
