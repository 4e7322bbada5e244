import "server-only";
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import net, { type LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import tls, { type SecureContext } from "node:tls";

/**
 * A response whose headers have arrived: the body is read (or destroyed) by the caller. `cut`
 * (HTTP/2): true when the body stopped without the server ending it (the session was lost): Node
 * then ends the stream's readable side as if it were complete.
 */
export type Response = { statusCode: number; headers: IncomingHttpHeaders; body: Readable; cut?: () => boolean };

export type ChannelOptions = {
  hostname: string;
  port: number;
  /** SNI and the name the certificate must match (the kubeconfig's tls-server-name); the host name by default. */
  servername?: string;
  /** One per cluster: the CA bundle and client keys are parsed once, not per connection. */
  secureContext: SecureContext;
  /** The guarded lookup: a name resolving to a link-local address is refused at connect time. */
  lookup: LookupFunction;
};

/** For tests and /api/health-style counts: how the cluster is spoken to, and how many connections that took. */
export type ChannelState = { protocol: "unknown" | "h2" | "http/1.1"; open: boolean; sessionsOpened: number; streams: number };

// nghttp2's default windows (64 KiB) would cost a round trip per 64 KiB of a large list. Windows are
// credit, not buffers: a stream that is read as it arrives holds none of it.
const STREAM_WINDOW = 1 << 20;
const SESSION_WINDOW = 4 << 20;

const REFUSED = new Set(["ERR_HTTP2_INVALID_SESSION", "ERR_HTTP2_GOAWAY_SESSION"]);

/**
 * The one connection to a cluster, as client-go keeps it: a single HTTP/2 session (TLS with ALPN
 * "h2") that carries every request and every watch as streams. Opened on first use, reused, and
 * opened again after it closed (GOAWAY, a socket error, a failed ping); the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS is respected by nghttp2, which holds excess streams until one
 * ends. A server that does not offer h2 (a proxy speaking HTTP/1.1 only) is remembered: `request`
 * then resolves undefined and the caller sends over HTTP/1.1.
 */
export class Http2Channel {
  private session: ClientHttp2Session | undefined;
  private connecting: Connecting | undefined;
  private protocol: ChannelState["protocol"] = "unknown";
  private opened = 0;
  private streams = 0;
  private closed = false;
  private readonly authority: string;

  constructor(private readonly options: ChannelOptions) {
    const host = net.isIPv6(options.hostname) ? `[${options.hostname}]` : options.hostname;
    this.authority = `https://${host}:${options.port}`;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** False once the server answered without h2: every request then goes over HTTP/1.1. */
  get offersH2(): boolean {
    return this.protocol !== "http/1.1";
  }

  state(): ChannelState {
    return { protocol: this.protocol, open: this.live() !== undefined, sessionsOpened: this.opened, streams: this.streams };
  }

  /**
   * One request as a stream of the session; resolves once the response headers arrive, or
   * undefined when the server speaks HTTP/1.1 only. `signal` cancels it at any point (RST_STREAM),
   * or with `untilResponse` until the headers arrive (the caller then ends the body itself): the
   * session and its other streams carry on.
   */
  async request(headers: OutgoingHttpHeaders, body: string | undefined, signal: AbortSignal, untilResponse = false): Promise<Response | undefined> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.sessionFor(signal);
      if (!session) return undefined;
      try {
        return await this.exchange(session, headers, body, signal, untilResponse);
      } catch (error) {
        // A session the server is closing (GOAWAY) takes no new streams: once more, on a new one.
        if (attempt > 0 || signal.aborted || !refusedStream(error)) throw error;
        this.forget(session);
      }
    }
  }

  /**
   * An HTTP/2 PING over the open session: the round trip in ms, or undefined when no session is
   * open (not yet connected, closed, or HTTP/1.1). No answer within `timeoutMs` destroys the
   * session (it is dead or the server is stuck) and rejects; its streams fail and are resumed on
   * a new one. `signal` gives up waiting without judging the session.
   */
  ping(timeoutMs: number, signal: AbortSignal | undefined): Promise<number | undefined> {
    const session = this.live();
    if (!session || session.connecting) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        done();
        reject(abortError());
      };
      const timer = setTimeout(() => {
        done();
        this.forget(session);
        session.destroy();
        reject(Object.assign(new Error("no answer to ping"), { code: "ETIMEDOUT" }));
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      const sent = session.ping((error, duration) => {
        done();
        if (error) reject(error);
        else resolve(duration);
      });
      // Too many pings in flight already: no judgement from this one.
      if (!sent) {
        done();
        resolve(undefined);
      }
    });
  }

  /** No new streams from now on; those in flight finish, then the connection closes. */
  close(): void {
    this.closed = true;
    this.connecting?.abandon(closedError());
    const session = this.session;
    this.session = undefined;
    session?.close();
  }

  private live(): ClientHttp2Session | undefined {
    const session = this.session;
    return session && !session.closed && !session.destroyed ? session : undefined;
  }

  private forget(session: ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }

  private sessionFor(signal: AbortSignal): Promise<ClientHttp2Session | undefined> {
    if (this.closed) return Promise.reject(closedError());
    if (this.protocol === "http/1.1") return Promise.resolve(undefined);
    const session = this.live();
    if (session) return Promise.resolve(session);
    this.connecting ??= this.connect();
    return this.connecting.join(signal);
  }

  /**
   * One stream: resolves with its response once the headers arrive. The signal cancels it until
   * then, and after too unless `untilResponse` (a watch, which ends its body itself): a watch
   * waits for hours, and what the stream holds for its signal (a listener, the caller's
   * AbortController) would be held for all of them. The stream holds no closure over the request
   * once answered: its close, end and error listeners are shared by every stream.
   */
  private exchange(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body: string | undefined, signal: AbortSignal, untilResponse: boolean): Promise<Response> {
    const stream = session.request(headers, { endStream: body === undefined });
    this.streams++;
    stream.once("close", this.streamClosed);
    // An error no reader listens for yet (or any more) must not go unhandled: the reader sees the stream end.
    stream.on("error", ignoreError);
    stream.once("end", markEnded);
    const cancel = () => stream.destroy(abortError());
    const release = () => signal.removeEventListener("abort", cancel);
    if (signal.aborted) cancel();
    else signal.addEventListener("abort", cancel, { once: true });
    if (!untilResponse) stream.once("close", release);
    if (body !== undefined) stream.end(body);
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        stream.off("close", closed).off("response", answered);
        release();
        reject(error);
      };
      // Closed before any headers and without an error: the server reset it (RST_STREAM NO_ERROR) or the session ended.
      const closed = () => {
        stream.off("error", failed).off("response", answered);
        release();
        reject(Object.assign(new Error("stream closed before a response"), { code: stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM ? "ERR_HTTP2_REFUSED" : "ECONNRESET" }));
      };
      const answered = (responseHeaders: IncomingHttpHeaders) => {
        stream.off("error", failed).off("close", closed);
        if (untilResponse) release();
        resolve({ statusCode: Number(responseHeaders[":status"] ?? 0), headers: responseHeaders, body: stream, cut: streamCut });
      };
      stream.once("error", failed).once("close", closed).once("response", answered);
    });
  }

  private readonly streamClosed = () => {
    this.streams--;
  };

  /**
   * TLS first, on our own socket (the guarded lookup, the shared secure context, ALPN), then the
   * session over it when the server chose h2. Waiters join the one attempt; when the last of them
   * gives up (its deadline), the half-open socket is destroyed, as an HTTP/1.1 request's would be.
   */
  private connect(): Connecting {
    const { hostname, port, servername, secureContext, lookup } = this.options;
    const socket = connectUnpooled({
      host: hostname,
      port,
      servername: servername || (net.isIP(hostname) ? undefined : hostname),
      secureContext,
      lookup,
      rejectUnauthorized: true,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    let fail: (error: Error) => void = () => undefined;
    const outcome = new Promise<ClientHttp2Session | undefined>((resolve, reject) => {
      fail = reject;
      const failed = (error: Error) => reject(error);
      socket.once("error", failed);
      socket.once("secureConnect", () => {
        socket.removeListener("error", failed);
        if (this.closed) {
          socket.destroy();
          reject(closedError());
        } else if (socket.alpnProtocol === "h2") {
          this.protocol = "h2";
          resolve(this.adopt(socket));
        } else {
          // HTTP/1.1 (or no ALPN at all): this cluster is spoken to over the HTTPS agents from now on.
          this.protocol = "http/1.1";
          socket.destroy();
          resolve(undefined);
        }
      });
    });
    let waiters = 0;
    const attempt: Connecting = {
      join: (signal) =>
        new Promise((resolve, reject) => {
          if (signal.aborted) return reject(abortError());
          waiters++;
          const onAbort = () => {
            reject(abortError());
            if (--waiters === 0) attempt.abandon(abortError());
          };
          signal.addEventListener("abort", onAbort, { once: true });
          outcome.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
        }),
      abandon: (reason) => {
        if (this.connecting === attempt) this.connecting = undefined;
        // Still connecting: whoever waits is told why; a socket already handed to a session is left to it.
        fail(reason);
        if (!socket.destroyed && socket.alpnProtocol !== "h2") socket.destroy();
      },
    };
    outcome.then(
      () => this.connecting === attempt && (this.connecting = undefined),
      () => this.connecting === attempt && (this.connecting = undefined),
    );
    return attempt;
  }

  private adopt(socket: tls.TLSSocket): ClientHttp2Session {
    const session = http2.connect(this.authority, { createConnection: () => socket, settings: { enablePush: false, initialWindowSize: STREAM_WINDOW } });
    this.opened++;
    this.session = session;
    // The session never keeps the process alive by itself: every request and watch has a timer that does.
    session.unref();
    session.once("connect", () => session.setLocalWindowSize(SESSION_WINDOW));
    // Its streams fail with the error; the next request opens a new session.
    session.on("error", () => this.forget(session));
    session.once("goaway", () => this.forget(session));
    session.once("close", () => this.forget(session));
    return session;
  }
}

/**
 * tls.connect copies ALPNProtocols into a small Buffer that the socket keeps (in its options) for
 * as long as it is open. Cut from Node's shared 8 KiB Buffer pool, each one pins a whole pool slab
 * once the pool has moved on: 8 KiB for every cluster's connection (3.9 MiB of the heap snapshot at
 * 500 clusters, about 16 MiB at 2,000). With the pool off for this one synchronous call, it is a
 * buffer of its own (12 bytes). Buffer.poolSize is documented as settable; it is restored at once.
 */
function connectUnpooled(options: tls.ConnectionOptions): tls.TLSSocket {
  const poolSize = Buffer.poolSize;
  Buffer.poolSize = 0;
  try {
    return tls.connect(options);
  } finally {
    Buffer.poolSize = poolSize;
  }
}

type Connecting = { join(signal: AbortSignal): Promise<ClientHttp2Session | undefined>; abandon(reason: Error): void };

function refusedStream(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  return REFUSED.has(code) || code === "ERR_HTTP2_REFUSED" || (code === "ERR_HTTP2_STREAM_ERROR" && String((error as Error).message).includes("REFUSED_STREAM"));
}

const ignoreError = () => undefined;

// Streams whose body the server ended (END_STREAM on a live stream). A lost session ends its
// streams too (RST_STREAM CANCEL, destroyed first): Node then ends the readable side as if complete.
const endedByServer = new WeakSet<object>();

function markEnded(this: Readable): void {
  if (!this.destroyed) endedByServer.add(this);
}

/** Response.cut of a stream's response (called as its method): the body stopped without the server ending it. */
function streamCut(this: Response): boolean {
  return !endedByServer.has(this.body);
}

function abortError(): Error {
  return Object.assign(new Error("the request was cancelled"), { code: "ABORT_ERR", name: "AbortError" });
}

/** Code of a request refused because the cluster's client was closed (credentials rotated, cluster deleted). */
export const CLOSED_CODE = "EFLEETLINE_CLOSED";

export function closedError(): Error {
  return Object.assign(new Error("the cluster's connection was closed"), { code: CLOSED_CODE });
}
