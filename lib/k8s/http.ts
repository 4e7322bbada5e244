import "server-only";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { ClusterError, errorFromResponse, formatDuration } from "./errors";
import { LINK_LOCAL_CODE } from "./guarded-lookup";
import { CLOSED_CODE, closedError, type Http2Channel, type Response } from "./http2-channel";

export type { Response } from "./http2-channel";

/**
 * What every request to one cluster shares: where, how to verify it, how to authenticate. With a
 * channel, requests and watches are streams of its one HTTP/2 session; the agents carry them only
 * when the server does not speak h2 (or without a channel).
 */
export type Connection = {
  hostname: string;
  port: number;
  basePath: string;
  channel?: Http2Channel;
  agents: Agents;
  headers: Record<string, string>;
  lookup: LookupFunction;
};

/** The HTTP/1.1 keep-alive agents, made on first use: over HTTP/2 they carry nothing. */
export type Agents = {
  requests(): https.Agent;
  /** Long-lived watches over HTTP/1.1: sockets of their own, so they never wait for (or hold) a request's. */
  watches(): https.Agent;
  destroy(): void;
};

export type HttpRequest = { method: string; path: string; body?: string; contentType?: string; accept?: string };

// A cluster answering with more than this is misbehaving; refuse rather than exhaust memory.
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * One request with a hard deadline covering connect, TLS, headers and body. Returns parsed JSON.
 * `cancel` (a cluster's whole-check deadline) aborts the request itself, not just the wait for it.
 */
export async function requestJson(connection: Connection, request: HttpRequest, timeoutMs: number, cancel?: AbortSignal): Promise<unknown> {
  if (cancel?.aborted) throw cancelledError(cancel);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const signal = cancel ? AbortSignal.any([deadline.signal, cancel]) : deadline.signal;
  try {
    const response = await send(connection, request, signal);
    const text = await readBody(response);
    const body = parseJson(text);
    const status = response.statusCode;
    if (status < 200 || status > 299) throw errorFromResponse(status, body, headerValue(response, "retry-after"));
    if (body === undefined) throw new ClusterError("server", "the API server answered with something other than JSON", { status });
    return body;
  } catch (error) {
    if (cancel?.aborted && !deadline.signal.aborted) throw cancelledError(cancel);
    throw toClusterError(error, deadline.signal.aborted, timeoutMs, connection);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Proof of life without a request: an HTTP/2 PING over the cluster's open session, its round trip
 * in ms. Undefined when there is no open session to ask (HTTP/1.1, or none connected): the caller
 * then makes a request. No answer within `timeoutMs` is a timeout (and the session is dropped).
 */
export async function pingConnection(connection: Connection, timeoutMs: number, cancel?: AbortSignal): Promise<number | undefined> {
  if (cancel?.aborted) throw cancelledError(cancel);
  if (!connection.channel || connection.channel.isClosed) return undefined;
  try {
    return await connection.channel.ping(timeoutMs, cancel);
  } catch (error) {
    if (cancel?.aborted) throw cancelledError(cancel);
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    throw toClusterError(error, code === "ETIMEDOUT", timeoutMs, connection);
  }
}

/** The reason a caller's signal carries when it is a ClusterError (a Deadline's), else a generic one. */
export function cancelledError(signal: AbortSignal): ClusterError {
  return signal.reason instanceof ClusterError ? signal.reason : new ClusterError("timeout", "the request was cancelled");
}

/**
 * Sends a request and resolves with the response once its headers arrive: a stream of the
 * cluster's HTTP/2 session, or an HTTP/1.1 request on `agent` (`watch`: on `watchAgent`) when the
 * server does not speak h2. `signal` cancels it, before or after the headers; a watch's stream
 * only before them (the watch ends its body itself, so its signal need not live as long).
 */
export async function send(connection: Connection, request: HttpRequest, signal: AbortSignal, use: "request" | "watch" = "request"): Promise<Response> {
  const headers: Record<string, string> = { ...connection.headers, accept: request.accept ?? "application/json", "user-agent": "fleetline" };
  if (request.body !== undefined) {
    headers["content-type"] = request.contentType ?? "application/json";
    headers["content-length"] = String(Buffer.byteLength(request.body));
  }
  const path = connection.basePath + request.path;
  const channel = connection.channel;
  if (channel?.isClosed) throw closedError();
  if (channel?.offersH2) {
    const h2Headers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    const response = await channel.request({ ...h2Headers, ":method": request.method, ":path": path }, request.body, signal, use === "watch");
    if (response) return response;
  }
  const agent = use === "watch" ? connection.agents.watches() : connection.agents.requests();
  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      { hostname: connection.hostname, port: connection.port, path, method: request.method, headers, agent, lookup: connection.lookup, signal },
      (message) => resolve({ statusCode: message.statusCode ?? 0, headers: message.headers, body: message }),
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

/** A body that ended because its connection was lost, not because the server finished it: a reset. */
export function cutShort(response: Response): Error | undefined {
  return response.cut?.() ? Object.assign(new Error("the response was cut short"), { code: "ECONNRESET" }) : undefined;
}

/** The body's chunks; a body cut short (its connection lost) fails as a reset, never ends as if complete. */
export async function* bodyChunks(response: Response): AsyncGenerator<Buffer | string> {
  for await (const chunk of response.body) yield chunk as Buffer | string;
  const cut = cutShort(response);
  if (cut) throw cut;
}

export async function readBody(response: Response): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(response)) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_RESPONSE_BYTES) {
      response.body.destroy();
      throw new ClusterError("server", "the API server's response is larger than 64 MiB", { status: response.statusCode });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function headerValue(response: Response, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|INVALID_CA|CHAIN_TOO_LONG|PATH_LENGTH|^ERR_TLS_/;
const HANDSHAKE_CODE = /^ERR_SSL_|^EPROTO$/;
// A connection (or, over HTTP/2, the session under a stream) that ended or was reset mid-request.
const RESET_CODE = /^(ECONNRESET|EPIPE|ERR_STREAM_PREMATURE_CLOSE|ERR_HTTP2_(STREAM_ERROR|STREAM_CANCEL|SESSION_ERROR|GOAWAY_SESSION|INVALID_SESSION|REFUSED))$/;

/**
 * Maps Node's socket/TLS/DNS errors to ClusterError. Node's own messages are not
 * reused: the wording here is stable for the UI and cannot carry request data.
 */
export function toClusterError(error: unknown, timedOut: boolean, timeoutMs: number, connection: Connection): ClusterError {
  if (error instanceof ClusterError) return error;
  if (timedOut) return new ClusterError("timeout", `timed out after ${formatDuration(timeoutMs)}`);
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const host = `${connection.hostname}:${connection.port}`;
  if (code === LINK_LOCAL_CODE) {
    return new ClusterError("dns", `DNS lookup refused: ${connection.hostname} resolves to a link-local address`);
  }
  if (code === "ENOTFOUND" || code.startsWith("EAI_")) return new ClusterError("dns", `DNS lookup failed for ${connection.hostname}`);
  if (code === "ECONNREFUSED") return new ClusterError("refused", `connection refused by ${host}`);
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return new ClusterError("tls", "TLS certificate does not match the server name");
  if (code === "CERT_HAS_EXPIRED") return new ClusterError("tls", "TLS certificate has expired");
  if (CERTIFICATE_CODE.test(code)) return new ClusterError("tls", `TLS certificate not trusted (${code})`);
  if (HANDSHAKE_CODE.test(code)) return new ClusterError("tls", `TLS handshake failed (${code})`);
  if (code === CLOSED_CODE) return new ClusterError("network", "the client of this cluster was closed (its credentials changed or it was removed)");
  if (RESET_CODE.test(code)) return new ClusterError("network", `connection to ${host} was reset`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new ClusterError("network", `${host} is unreachable`);
  if (code === "ETIMEDOUT") return new ClusterError("timeout", `connecting to ${host} timed out`);
  return new ClusterError("network", code ? `network error (${code})` : `network error talking to ${host}`);
}
