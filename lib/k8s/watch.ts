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
    for await (const line of lines(response, keepAlive)) {
      const event = parseJson(line) as RawEvent | undefined;
      if (!event?.type || !event.object) throw new ClusterError("server", "the API server sent a malformed watch event");
      if (event.type === "ERROR") {
        const errorStatus = asStatus(event.object);
        if (errorStatus?.code === 410) return { outcome: "relist" };
        throw errorFromResponse(errorStatus?.code ?? 500, event.object);
      }
      lastVersion = event.object.metadata?.resourceVersion ?? lastVersion;
      if (event.type === "BOOKMARK") continue;
      if (event.type !== "ADDED" && event.type !== "MODIFIED" && event.type !== "DELETED") continue;
      try {
        await onEvent({ type: event.type, object: event.object as T });
      } catch (error) {
        throw new HandlerError(error);
      }
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

/** Newline-delimited JSON events; calls alive() on every chunk so the idle timer restarts. */
async function* lines(response: Response, alive: () => void): AsyncGenerator<string> {
  let pending = "";
  response.body.setEncoding("utf8");
  for await (const chunk of bodyChunks(response)) {
    alive();
    pending += chunk as string;
    if (pending.length > MAX_RESPONSE_BYTES) throw new ClusterError("server", "a watch event is larger than 64 MiB");
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== "") yield line;
      newline = pending.indexOf("\n");
    }
  }
}

class HandlerError extends Error {
  constructor(readonly cause: unknown) {
    super("watch event handler failed");
  }
}
