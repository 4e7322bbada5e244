import "server-only";
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

export function watchResource<T>(
  connection: Connection,
  path: string,
  resourceVersion: string,
  onEvent: (event: WatchEvent<T>) => void | Promise<void>,
  signal: AbortSignal,
  timeouts: WatchTimeouts,
): Promise<WatchEnd> {
  if (signal.aborted) return Promise.resolve({ outcome: "aborted", resourceVersion });
  const watch = new Watch(connection, resourceVersion, onEvent as Handler, signal, timeouts);
  return watch.run(watchTarget(path, resourceVersion, timeouts.serverSeconds));
}

/**
 * The watch's request path. Built outside the watch's own state: the query's parts are of no use
 * once the request is sent.
 */
function watchTarget(path: string, resourceVersion: string, serverSeconds: number): string {
  const query = new URLSearchParams({ watch: "true", resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(serverSeconds) });
  return `${path}${path.includes("?") ? "&" : "?"}${query}`;
}

type Handler = (event: WatchEvent<unknown>) => void | Promise<void>;
type Outcome = { end: WatchEnd } | { error: unknown };

const NEWLINE = 0x0a;

/**
 * One watch, driven by its body's events rather than a chain of awaits: a watch waits nearly all
 * its life, and everything between it and the socket is held per watch for that whole time (at
 * 2,000 clusters, 4,000 of them). Each line of the body (newline-delimited JSON) is parsed and
 * handled as it completes; a handler that returns a promise pauses the body until it settles.
 * Nothing of the last event is kept while the next is awaited, and the body is read as bytes (a
 * newline byte never occurs inside a UTF-8 character), so no string decoder is kept either.
 */
class Watch {
  /** Cancels the request until its headers arrive; then the watch ends its body itself (stop). */
  private controller: AbortController | undefined = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private limitMs: number;
  private lastVersion: string;
  private response: Response | undefined;
  /** The line being received, in the chunks it came in. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Complete lines not yet handled: only while a handler's promise is pending. */
  private lines: string[] = [];
  private handling = false;
  private bodyEnded = false;
  private outcome: Outcome | undefined;
  private settle: ((outcome: Outcome) => void) | undefined;

  constructor(
    private readonly connection: Connection,
    resourceVersion: string,
    private readonly onEvent: Handler,
    private readonly signal: AbortSignal,
    private readonly timeouts: WatchTimeouts,
  ) {
    this.lastVersion = resourceVersion;
    this.limitMs = timeouts.connectMs;
  }

  async run(target: string): Promise<WatchEnd> {
    this.signal.addEventListener("abort", this.abort);
    this.timer = setTimeout(this.expire, this.limitMs);
    try {
      // A stream of the cluster's HTTP/2 session (beside its requests), or a watch socket over HTTP/1.1.
      const response = await send(this.connection, { method: "GET", path: target }, this.controller!.signal, "watch");
      this.response = response;
      this.controller = undefined;
      const status = response.statusCode;
      if (status === 410) return { outcome: "relist" };
      if (status < 200 || status > 299) {
        const body = parseJson(await readBody(response));
        throw errorFromResponse(status, body, headerValue(response, "retry-after"));
      }
      // After the headers, the deadline becomes an idle limit that every chunk restarts.
      clearTimeout(this.timer);
      this.limitMs = this.timeouts.serverSeconds * 1000 + IDLE_GRACE_MS;
      this.timer = setTimeout(this.expire, this.limitMs);
      const outcome = await this.follow(response);
      if ("end" in outcome) return outcome.end;
      throw outcome.error;
    } catch (error) {
      // The handler's own failures are the caller's, not the cluster's: pass them through.
      if (error instanceof HandlerError) throw error.cause;
      if (this.signal.aborted) return { outcome: "aborted", resourceVersion: this.lastVersion };
      throw toClusterError(error, this.timedOut, this.limitMs, this.connection);
    } finally {
      clearTimeout(this.timer);
      this.signal.removeEventListener("abort", this.abort);
      this.stop();
    }
  }

  private readonly abort = () => this.stop();

  private readonly expire = () => {
    this.timedOut = true;
    this.stop();
  };

  /** Ends the request: before its headers through its signal, after them by tearing its body down. */
  private stop(): void {
    this.controller?.abort();
    const body = this.response?.body;
    if (body && !body.destroyed && !body.readableEnded) body.destroy();
  }

  /** Reads the body to its end (or the first failure): how the watch ended. */
  private follow(response: Response): Promise<Outcome> {
    const body = response.body;
    body.on("data", this.onData);
    // Closed before its end (a reset, an abort) is an error, as is a body cut short.
    body.on("end", this.onEnd);
    body.on("error", this.finish);
    body.on("close", this.onClose);
    return new Promise((resolve) => {
      if (this.outcome) resolve(this.outcome);
      else this.settle = resolve;
    });
  }

  // The body is read as bytes: nothing sets an encoding on it.
  private readonly onData = (bytes: Buffer) => {
    this.timer?.refresh();
    let start = 0;
    for (let newline = bytes.indexOf(NEWLINE); newline >= 0; newline = bytes.indexOf(NEWLINE, start)) {
      // A line within one chunk (nearly every event) is decoded where it lies, with no copy.
      let line: string;
      if (this.partial.length === 0) line = bytes.toString("utf8", start, newline);
      else {
        this.partial.push(bytes.subarray(start, newline));
        line = Buffer.concat(this.partial).toString("utf8");
        this.partial = [];
        this.partialBytes = 0;
      }
      line = line.trim();
      if (line !== "") this.lines.push(line);
      start = newline + 1;
    }
    if (start < bytes.length) {
      this.partialBytes += bytes.length - start;
      if (this.partialBytes > MAX_RESPONSE_BYTES) return this.finish(new ClusterError("server", "a watch event is larger than 64 MiB"));
      // A copy of its own (a slice keeps the whole chunk, a small Buffer.from an 8 KiB pool slab).
      const rest = Buffer.allocUnsafeSlow(bytes.length - start);
      bytes.copy(rest, 0, start);
      this.partial.push(rest);
    }
    this.drain();
  };

  private readonly onEnd = () => {
    this.bodyEnded = true;
    this.drain();
  };

  private readonly onClose = () => {
    if (!this.bodyEnded) this.finish(cutShort(this.response!) ?? Object.assign(new Error("the watch closed before its end"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
  };

  /** Handles the complete lines in order; ends the watch after the last once the body has ended. */
  private drain(): void {
    while (!this.handling && !this.outcome) {
      const line = this.lines.shift();
      if (line === undefined) {
        if (this.bodyEnded) this.finish(cutShort(this.response!));
        return;
      }
      let step: ReturnType<Watch["handle"]>;
      try {
        step = this.handle(line);
      } catch (error) {
        return this.finish(error);
      }
      if (step === "relist") return this.finish(undefined, { outcome: "relist" });
      if (step instanceof Promise) {
        this.handling = true;
        this.response!.body.pause();
        step.then(
          () => {
            this.handling = false;
            this.response!.body.resume();
            this.drain();
          },
          (error: unknown) => this.finish(error),
        );
        return;
      }
    }
  }

  /** One event: the handler's promise when it returned one, "relist" for an expired resourceVersion. */
  private handle(line: string): Promise<void> | "relist" | undefined {
    const event = parseJson(line) as RawEvent | undefined;
    if (!event?.type || !event.object) throw new ClusterError("server", "the API server sent a malformed watch event");
    if (event.type === "ERROR") {
      const errorStatus = asStatus(event.object);
      if (errorStatus?.code === 410) return "relist";
      throw errorFromResponse(errorStatus?.code ?? 500, event.object);
    }
    // BOOKMARK (and types this client does not know) only move the resourceVersion.
    const version = event.object.metadata?.resourceVersion;
    if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED") {
      let handled: void | Promise<void>;
      try {
        handled = this.onEvent({ type: event.type, object: event.object });
      } catch (error) {
        throw new HandlerError(error);
      }
      if (handled instanceof Promise) {
        return handled.then(
          () => void (this.lastVersion = version ?? this.lastVersion),
          (error: unknown) => Promise.reject(new HandlerError(error)),
        );
      }
    }
    this.lastVersion = version ?? this.lastVersion;
    return undefined;
  }

  /** The watch's end: the first failure, or the given end (by default, closed by the server). */
  private readonly finish = (error: unknown, end?: WatchEnd) => {
    if (this.outcome) return;
    this.outcome = error === undefined ? { end: end ?? { outcome: "closed", resourceVersion: this.lastVersion } } : { error };
    this.lines = [];
    this.partial = [];
    // The body is torn down by run() (its request's signal); an error from it after this is of no
    // more interest, and stays handled.
    const body = this.response?.body;
    body?.off("data", this.onData).off("end", this.onEnd).off("close", this.onClose);
    this.settle?.(this.outcome);
  };
}

class HandlerError extends Error {
  constructor(readonly cause: unknown) {
    super("watch event handler failed");
  }
}
