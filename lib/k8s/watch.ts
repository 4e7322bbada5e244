import "server-only";
import { ClusterError, asStatus, errorFromResponse } from "./errors";
import { MAX_RESPONSE_BYTES, bodyChunks, headerValue, parseJson, readBody, send, toClusterError, type Connection, type Response } from "./http";

export type WatchEvent<T> = { type: "ADDED" | "MODIFIED" | "DELETED"; object: T };

/**
 * How a watch ended. "relist": the resourceVersion is too old (410 Gone), list again
 * and watch from the list's version. "closed": the server ended the watch normally,
 * resume from resourceVersion. "aborted": the caller's signal fired.
 * Dropped connections and other failures throw ClusterError; relist after those too.
 */
export type WatchEnd =
  | { outcome: "relist" }
  | { outcome: "closed"; resourceVersion: string }
  | { outcome: "aborted"; resourceVersion: string };

/** connectMs bounds the wait for the response headers; the server ends the watch after serverSeconds. */
export type WatchTimeouts = { connectMs: number; serverSeconds: number };

// Beyond the server's own timeout, silence this long means the connection died quietly.
const IDLE_GRACE_MS = 30_000;

type RawEvent = { type?: string; object?: { metadata?: { resourceVersion?: string } } };

export async function watchResource<T>(
  connection: Connection,
  path: string,
  resourceVersion: string,
  onEvent: (event: WatchEvent<T>) => void | Promise<void>,
  signal: AbortSignal,
  timeouts: WatchTimeouts,
): Promise<WatchEnd> {
  if (signal.aborted) return { outcome: "aborted", resourceVersion };
  const query = new URLSearchParams({
    watch: "true",
    resourceVersion,
    allowWatchBookmarks: "true",
    timeoutSeconds: String(timeouts.serverSeconds),
  });
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal.addEventListener("abort", abort);
  let timedOut = false;
  let limitMs = timeouts.connectMs;
  const startTimer = () => setTimeout(() => ((timedOut = true), abort()), limitMs);
  let timer = startTimer();
  // After the headers, the deadline becomes an idle limit that every chunk restarts.
  const keepAlive = () => {
    clearTimeout(timer);
    limitMs = timeouts.serverSeconds * 1000 + IDLE_GRACE_MS;
    timer = startTimer();
  };
  let lastVersion = resourceVersion;
  try {
    const separator = path.includes("?") ? "&" : "?";
    // A stream of the cluster's HTTP/2 session (beside its requests), or a watch socket over HTTP/1.1.
    const response = await send(connection, { method: "GET", path: `${path}${separator}${query}` }, controller.signal, "watch");
    const status = response.statusCode;
    if (status === 410) return { outcome: "relist" };
    if (status < 200 || status > 299) {
      const body = parseJson(await readBody(response));
      throw errorFromResponse(status, body, headerValue(response, "retry-after"));
    }
    keepAlive();
    // Each event is read and handled in a call of its own (handleNext): while the watch waits for
    // the next one, nothing of the last is left in this frame.
    const reader = new EventReader(response, keepAlive);
    const handler = onEvent as (event: WatchEvent<unknown>) => void | Promise<void>;
    for (;;) {
      const step = await handleNext(reader, handler);
      if (step === "end") break;
      if (step === "relist") return { outcome: "relist" };
      lastVersion = step ?? lastVersion;
    }
    return { outcome: "closed", resourceVersion: lastVersion };
  } catch (error) {
    // The handler's own failures are the caller's, not the cluster's: pass them through.
    if (error instanceof HandlerError) throw error.cause;
    if (signal.aborted) return { outcome: "aborted", resourceVersion: lastVersion };
    throw toClusterError(error, timedOut, limitMs, connection);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", abort);
    controller.abort();
  }
}

/**
 * Reads and handles one event: the resourceVersion it carries (undefined when none), "relist" for
 * an expired resourceVersion, "end" when the server ended the stream.
 */
async function handleNext(reader: EventReader, onEvent: (event: WatchEvent<unknown>) => void | Promise<void>): Promise<string | undefined | "relist" | "end"> {
  const event = await reader.next();
  if (event === null) return "end";
  if (!event?.type || !event.object) throw new ClusterError("server", "the API server sent a malformed watch event");
  if (event.type === "ERROR") {
    const errorStatus = asStatus(event.object);
    if (errorStatus?.code === 410) return "relist";
    throw errorFromResponse(errorStatus?.code ?? 500, event.object);
  }
  const version = event.object.metadata?.resourceVersion;
  if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
    try {
      await onEvent({ type: event.type, object: event.object });
    } catch (error) {
      throw new HandlerError(error);
    }
  }
  // BOOKMARK (and types this client does not know) only move the resourceVersion.
  return version;
}

/**
 * Newline-delimited JSON events, parsed as each line completes; alive() on every chunk restarts
 * the idle timer. Not a generator: a suspended generator keeps its locals and temporaries, and one
 * that read the lines kept every watch's last event (its text, then the parsed object with the
 * field sets the cache leaves out) for as long as the watch stayed quiet.
 */
class EventReader {
  private pending = "";
  private readonly queue: (RawEvent | undefined)[] = [];
  private readonly chunks: AsyncIterator<Buffer | string>;

  constructor(
    response: Response,
    private readonly alive: () => void,
  ) {
    response.body.setEncoding("utf8");
    this.chunks = bodyChunks(response)[Symbol.asyncIterator]();
  }

  /** The next event (undefined for a line that is not JSON), or null once the stream ends. */
  async next(): Promise<RawEvent | undefined | null> {
    while (this.queue.length === 0) {
      if (!(await this.pull())) return null;
    }
    return this.queue.shift();
  }

  private async pull(): Promise<boolean> {
    const step = await this.chunks.next();
    if (step.done) return false;
    this.alive();
    this.take(step.value as string);
    return true;
  }

  private take(chunk: string): void {
    this.pending += chunk;
    if (this.pending.length > MAX_RESPONSE_BYTES) throw new ClusterError("server", "a watch event is larger than 64 MiB");
    let newline = this.pending.indexOf("\n");
    while (newline >= 0) {
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line !== "") this.queue.push(parseJson(line) as RawEvent | undefined);
      newline = this.pending.indexOf("\n");
    }
  }
}

class HandlerError extends Error {
  constructor(readonly cause: unknown) {
    super("watch event handler failed");
  }
}
