import path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/**
 * A PostgreSQL connection with better-sqlite3's synchronous surface (prepare / run / all / get /
 * raw / pluck, exec, pragma, transaction), so drizzle's better-sqlite3 driver and every query in
 * lib/ run unchanged on either database (issue 17: the dialect stays in db/).
 *
 * Each statement goes to db/pg/worker.mjs and the caller waits for the answer, as it waits for
 * SQLite's: the event loop is held for a round trip to the server. The wait is Atomics.wait on a
 * flag the worker sets once the answer is on a reply port read with receiveMessageOnPort (synckit
 * does the same, but Next's bundler cannot trace its package, so the few lines are here).
 *
 * What differs from SQLite, and how it is met here:
 * - placeholders: `?` becomes `$1`, `$2`… (outside quoted text and identifiers);
 * - one writer at a time: SQLite serialises transactions; PostgreSQL runs them side by side.
 *   Every transaction takes one advisory lock first, so replicas' read-then-write transactions
 *   (lease takes, rollout gates) see the same order they would on SQLite;
 * - the busy timeout (db/busy.ts) is PostgreSQL's lock_timeout; a lock wait it ends is reported
 *   as busy, and background writes retry it as they retry SQLITE_BUSY;
 * - the one SQL default the schema writes in SQLite's words is rewritten (db/pg/schema.ts).
 */

type ReplyError = { message: string; code?: string; detail?: string; table?: string; constraint?: string };
type Reply = { rows: unknown[]; count: number; error?: ReplyError; results?: { rows: unknown[]; count: number }[]; failedAt?: number };
/** One statement of a batch: with params, a query (rows as arrays when `array`); without, a plain statement. `always` runs it after an earlier one failed (a rollback). */
type BatchItem = { sql: string; params?: unknown[]; array?: boolean; always?: boolean };
type Request =
  | { op: "open"; url: string }
  | { op: "query"; sql: string; params: unknown[]; array: boolean }
  | { op: "exec"; sql: string }
  | { op: "batch"; items: BatchItem[] }
  | { op: "migrate"; folder: string }
  | { op: "close" };

/** The advisory lock every transaction holds: the single writer SQLite has. */
export const WRITER_LOCK = 7305002;

export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly table?: string,
    readonly constraint?: string,
  ) {
    super(message);
    this.name = "PostgresError";
  }
}

// SQLite's words in SQL drizzle builds from the schema, and PostgreSQL's.
const REWRITES: [string, string][] = [["(unixepoch('subsec') * 1000)", "(extract(epoch from clock_timestamp()) * 1000)::bigint"]];

/**
 * SQLite's SQL as PostgreSQL reads it: `?` placeholders become `$1`, `$2`…; camelCase names
 * (the aliases raw queries give their columns) are quoted, as PostgreSQL folds unquoted names to
 * lower case where SQLite keeps them. Quoted text, identifiers and comments are left alone.
 */
export function toPostgresSql(text: string): string {
  let n = 0;
  let out = text.replace(
    /('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/)|(\?)|\b([a-z][a-z0-9_]*[A-Z][A-Za-z0-9_]*)\b/g,
    (_, kept: string | undefined, mark: string | undefined, camel: string | undefined) => kept ?? (mark ? `$${++n}` : `"${camel}"`),
  );
  for (const [from, to] of REWRITES) out = out.split(from).join(to);
  // drizzle's SQLite builder names a conflict target's columns with their table; PostgreSQL takes bare names.
  return out.replace(/on conflict \(([^()]*)\)/gi, (_, target: string) => `on conflict (${target.replace(/"[^"]+"\./g, "")})`);
}

function encode(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") throw new TypeError("SQLite3 can only bind numbers, strings, bigints, buffers, and null");
  return value;
}

export class PostgresStatement {
  constructor(
    private readonly client: PostgresSyncClient,
    private readonly text: string,
    private readonly mode: "object" | "array" | "pluck" = "object",
  ) {}

  raw(on = true): PostgresStatement {
    return new PostgresStatement(this.client, this.text, on ? "array" : "object");
  }

  pluck(on = true): PostgresStatement {
    return new PostgresStatement(this.client, this.text, on ? "pluck" : "object");
  }

  run(...params: unknown[]): { changes: number; lastInsertRowid: number } {
    return this.client.run(this.text, params);
  }

  all(...params: unknown[]): unknown[] {
    const { rows } = this.client.query(this.text, params, this.mode !== "object");
    return this.mode === "pluck" ? (rows as unknown[][]).map((row) => row[0]) : rows;
  }

  get(...params: unknown[]): unknown {
    return this.all(...params)[0];
  }

  *iterate(...params: unknown[]): IterableIterator<unknown> {
    yield* this.all(...params);
  }
}

/** How long one statement may take before its connection is given up (the server's own limit is 60 s). */
const CALL_TIMEOUT_MS = 120_000;

/** One worker thread, one connection, called synchronously. */
class WorkerLink {
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private sequence = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.replies = port1;
    this.worker = new Worker(path.join(process.cwd(), "db", "pg", "worker.mjs"), { workerData: { replies: port2, flag: this.flag.buffer }, transferList: [port2] });
    // Neither keeps the process alive: a server or a test ends when its own work does.
    this.worker.unref();
    this.replies.unref();
  }

  call(request: Request): Reply {
    const id = ++this.sequence;
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage({ id, request });
    for (;;) {
      // The worker puts the answer on the port before it sets the flag. Matched by id: an answer
      // to an earlier call (none is expected: a link whose call timed out is replaced) is dropped.
      const received = receiveMessageOnPort(this.replies)?.message as { id: number; reply: Reply } | undefined;
      if (received?.id === id) return received.reply;
      if (received && received.id > id) throw new PostgresError("the database connection's worker answered out of turn", "08006");
      if (received) continue;
      const left = deadline - Date.now();
      if (left <= 0) throw new PostgresError(`the database did not answer within ${CALL_TIMEOUT_MS / 1000} s`, "57014");
      // Not on the port yet: sleep until the flag is set; set already (a PostgreSQL run saw the
      // flag before the answer once, in 1 of 3 runs of a test), a millisecond's nap and look again.
      if (Atomics.load(this.flag, 0) === 0) Atomics.wait(this.flag, 0, 0, left);
      else Atomics.wait(this.flag, 0, 1, 1);
    }
  }

  close(): void {
    void this.worker.terminate();
    this.replies.close();
  }
}

/** A write sent later (deferWrites): its count once the batch it went in has run. */
type Deferred = { item: BatchItem; slot: { count?: number } };

export class PostgresSyncClient {
  readonly dialect = "postgres" as const;
  private link = new WorkerLink();
  private depth = 0;
  private readonly url: string;
  // Writes held back under deferWrites, sent ahead of the next statement that needs an answer.
  private queue: Deferred[] = [];
  private deferring = 0;
  // Session settings (lock_timeout) sent ahead of the next request, outside any transaction's undo.
  private settings: BatchItem[] = [];
  /** Requests sent to the worker (each a round trip the caller waited for). */
  roundTrips = 0;
  open = true;

  constructor(url: string) {
    this.url = url;
    this.send({ op: "open", url });
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /**
   * Writes inside a transaction that nothing reads an answer from are sent with the next statement
   * that needs one (a read, a savepoint's release, the commit), in order, as one round trip: on
   * PostgreSQL every statement was a round trip the event loop waited for (bench:fleet at 2,000 on
   * two replicas: 67 s to refresh where SQLite took 13). A write's error is thrown where its batch
   * is sent, so `fn` is code whose writes sit in savepoints that end before it returns (the batched
   * writes of db/batch.ts, each in a savepoint of its own). A write's `changes`, when read, sends
   * its batch first.
   */
  deferWrites<T>(fn: () => T): T {
    this.deferring++;
    try {
      const result = fn();
      this.flush();
      return result;
    } finally {
      this.deferring--;
    }
  }

  /** A statement run for its count: held back under deferWrites inside a transaction, else sent now. */
  run(text: string, params: unknown[]): { changes: number; lastInsertRowid: number } {
    if (this.deferring === 0 || this.depth === 0 || /^\s*pragma\s/i.test(text)) return { changes: this.query(text, params, false).count, lastInsertRowid: 0 };
    // drizzle's nested transactions (tx.transaction) end their savepoints with statements of their own: as ours end.
    if (/^\s*release\s+savepoint\b/i.test(text)) return { changes: this.send({ op: "exec", sql: text }).count, lastInsertRowid: 0 };
    if (/^\s*rollback\s+to\s+savepoint\b/i.test(text)) return { changes: this.sendBatched({ op: "exec", sql: text }, { always: true }).count, lastInsertRowid: 0 };
    const values = params.length === 1 && Array.isArray(params[0]) ? params[0] : params;
    const slot: Deferred["slot"] = {};
    this.queue.push({ item: { sql: toPostgresSql(text), params: values.map(encode), array: false }, slot });
    const flush = () => this.flush();
    return {
      get changes() {
        if (slot.count === undefined) flush();
        return slot.count ?? 0;
      },
      lastInsertRowid: 0,
    };
  }

  /** Sends the held-back writes now (nothing to send: nothing happens). */
  private flush(): void {
    if (this.queue.length > 0 || this.settings.length > 0) this.send({ op: "exec", sql: "select 1" });
  }

  private send(request: Request): Reply {
    // As better-sqlite3 does: a closed connection refuses, it does not wait for a worker that is gone.
    if (!this.open) throw new TypeError("The database connection is not open");
    if ((this.queue.length > 0 || this.settings.length > 0) && (request.op === "query" || request.op === "exec")) return this.sendBatched(request);
    return this.call(request);
  }

  /** The held-back writes, then `request`, in one round trip; the answer is the request's. */
  private sendBatched(request: Extract<Request, { op: "query" | "exec" }>, { always = false } = {}): Reply {
    const queued = this.queue;
    const settings = this.settings;
    this.queue = [];
    this.settings = [];
    const last: BatchItem = request.op === "query" ? { sql: request.sql, params: request.params, array: request.array, always } : { sql: request.sql, always };
    const reply = this.call({ op: "batch", items: [...settings, ...queued.map((d) => d.item), last] });
    reply.results?.slice(settings.length, settings.length + queued.length).forEach((result, i) => {
      if (result) queued[i]!.slot.count = result.count;
    });
    // A held-back write that failed is this call's error; after a rollback that ran whatever failed, the rollback's answer.
    const answer = reply.results?.[settings.length + queued.length];
    if (reply.error && !(always && answer)) throw postgresError(reply.error);
    if (!answer) throw new PostgresError("the database connection's worker gave no answer", "08006");
    return answer;
  }

  private call(request: Request): Reply {
    let reply: Reply;
    this.roundTrips++;
    try {
      reply = this.link.call(request);
    } catch (error) {
      // A connection that did not answer is gone: the next statement starts a new one.
      this.link.close();
      this.link = new WorkerLink();
      this.depth = 0;
      this.queue = [];
      if (request.op !== "open") this.link.call({ op: "open", url: this.url });
      throw error;
    }
    if (reply.error && process.env.FLEETLINE_PG_DEBUG && "sql" in request) console.error(`[pg] ${reply.error.message}: ${request.sql}`);
    // A batch's failure is its caller's to throw (a rollback in it may have run after it).
    if (reply.error && request.op !== "batch") throw postgresError(reply.error);
    return reply;
  }

  query(text: string, params: unknown[], array: boolean): Reply {
    const pragma = /^\s*pragma\s+(.*)$/is.exec(text);
    if (pragma) return { rows: [this.pragma(pragma[1]!)], count: 0 };
    // better-sqlite3 takes positional values as arguments, or one array of them.
    const values = params.length === 1 && Array.isArray(params[0]) ? params[0] : params;
    return this.send({ op: "query", sql: toPostgresSql(text), params: values.map(encode), array });
  }

  prepare(text: string): PostgresStatement {
    return new PostgresStatement(this, text);
  }

  exec(text: string): this {
    const statement = text.trim().replace(/;$/, "");
    if (/^begin(\s+(deferred|immediate|exclusive))?(\s+transaction)?$/i.test(statement)) this.begin();
    else if (/^(commit|end)(\s+transaction)?$/i.test(statement)) this.finish("COMMIT");
    else if (/^rollback(\s+transaction)?$/i.test(statement)) this.finish("ROLLBACK");
    else this.send({ op: "exec", sql: toPostgresSql(text) });
    return this;
  }

  /** BEGIN and the writer lock in one round trip. */
  private begin(): void {
    this.depth = 1;
    this.queue.push({ item: { sql: "BEGIN" }, slot: {} });
    try {
      this.send({ op: "query", sql: "select pg_advisory_xact_lock($1)", params: [WRITER_LOCK], array: true });
    } catch (error) {
      this.finish("ROLLBACK");
      throw error;
    }
  }

  private finish(how: "COMMIT" | "ROLLBACK"): void {
    this.depth = 0;
    if (how === "ROLLBACK") {
      // Writes not sent yet are undone by not sending them.
      this.queue = [];
      this.send({ op: "exec", sql: how });
      return;
    }
    try {
      this.send({ op: "exec", sql: how });
    } catch (error) {
      // A held-back write failed: the transaction is aborted on the server; end it there too.
      this.send({ op: "exec", sql: "ROLLBACK" });
      throw error;
    }
  }

  /** Undoes a nested transaction. Held-back writes go first (they may hold the savepoint itself); their error is the one being thrown already. */
  private rollbackTo(savepoint: string): void {
    // A connection lost meanwhile took the transaction with it (call() resets the depth).
    if (this.depth === 0) return;
    const request = { op: "exec" as const, sql: `ROLLBACK TO SAVEPOINT ${savepoint}` };
    if (this.queue.length > 0) this.sendBatched(request, { always: true });
    else this.send(request);
  }

  /** A nested transaction's savepoint, held back with the writes under deferWrites. */
  private savepoint(sql: string): void {
    if (this.deferring > 0) this.queue.push({ item: { sql }, slot: {} });
    else this.send({ op: "exec", sql });
  }

  /** busy_timeout is PostgreSQL's lock_timeout, sent with the next statement; SQLite's file settings have no meaning here. */
  pragma(text: string): unknown {
    const busy = /^\s*busy_timeout\s*=\s*(\d+)\s*$/i.exec(text);
    // Only the last one not sent yet matters (a background write sets 10 ms, then 5 s again, then 10 ms).
    if (busy) this.settings = [{ sql: `SET lock_timeout = ${Number(busy[1])}` }];
    return [];
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R) {
    const run = (...args: A): R => {
      const nested = this.depth > 0;
      const savepoint = `fleetline_sp${this.depth}`;
      if (nested) {
        this.savepoint(`SAVEPOINT ${savepoint}`);
        this.depth++;
      } else {
        this.begin();
      }
      let result: R;
      try {
        result = fn(...args);
        if (result instanceof Promise) throw new TypeError("Transaction function cannot return a promise");
      } catch (error) {
        if (nested) {
          this.depth--;
          this.rollbackTo(savepoint);
        } else if (this.depth > 0) {
          this.finish("ROLLBACK");
        }
        throw error;
      }
      if (!nested) {
        this.finish("COMMIT");
        return result;
      }
      this.depth--;
      try {
        this.send({ op: "exec", sql: `RELEASE SAVEPOINT ${savepoint}` });
      } catch (error) {
        // A held-back write sent with the release failed: its savepoint is still there to undo to.
        this.rollbackTo(savepoint);
        throw error;
      }
      return result;
    };
    return Object.assign(run, { deferred: run, immediate: run, exclusive: run });
  }

  migrate(folder: string): void {
    this.send({ op: "migrate", folder });
  }

  close(): void {
    if (!this.open) return;
    try {
      this.send({ op: "close" });
    } finally {
      this.open = false;
      this.link.close();
    }
  }
}

function postgresError(error: ReplyError): PostgresError {
  return new PostgresError(error.message + (error.detail ? ` (${error.detail})` : ""), error.code, error.table, error.constraint);
}
