import "server-only";
import { finished } from "node:stream";
import { ClusterError, asStatus, errorFromResponse } from "./errors";
import { MAX_RESPONSE_BYTES, cutShort, headerValue, parseJson, readBody, send, toClusterError, type Connection, type Response } from "./http";

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
  const target = watchTarget(path, resourceVersion, timeouts.serverSeconds);
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
    // A stream of the cluster's HTTP/2 session (beside its requests), or a watch socket over HTTP/1.1.
    const response = await send(connection, { method: "GET", path: target }, controller.signal, "watch");
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
 * The watch's request path. Built outside watchResource: its suspended frame keeps its locals for
 * the watch's whole life, and the query's parts are of no use once the request is sent.
 */
function watchTarget(path: string, resourceVersion: string, serverSeconds: number): string {
  const query = new URLSearchParams({ watch: "true", resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(serverSeconds) });
  return `${path}${path.includes("?") ? "&" : "?"}${query}`;
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
 * the idle timer. Read from the stream's events, not through async iterators: a watch waits
 * nearly all its life, and each generator between it and the socket (the stream's iterator, the
 * body's chunks, the lines) kept a suspended frame, its promises and, in its locals, the last
 * event it passed on (its text, then the parsed object with the field sets the cache leaves out).
 * The stream is paused while parsed events wait for the handler, as an iterator would.
 */
class EventReader {
  private pending = "";
  private readonly queue: (RawEvent | undefined)[] = [];
  private ended: { error?: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly response: Response,
    alive: () => void,
  ) {
    const body = response.body;
    body.setEncoding("utf8");
    body.on("data", (chunk: string) => {
      alive();
      try {
        this.take(chunk);
      } catch (error) {
        this.end(error);
        body.destroy();
        return;
      }
      if (this.queue.length > 0) body.pause();
      this.notify();
    });
    // Closed before its end (a reset, an abort) is an error, as is a body cut short.
    finished(body, (error) => this.end(error ?? cutShort(response)));
  }

  /** The next event (undefined for a line that is not JSON), or null once the stream ended. */
  async next(): Promise<RawEvent | undefined | null> {
    for (;;) {
      if (this.queue.length > 0) {
        const event = this.queue.shift();
        if (this.queue.length === 0 && !this.ended) this.response.body.resume();
        return event;
      }
      if (this.ended) {
        if ("error" in this.ended) throw this.ended.error;
        return null;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private end(error: unknown): void {
    if (this.ended) return;
    this.ended = error === undefined ? {} : { error };
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
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
