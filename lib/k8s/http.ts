import "server-only";
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { ClusterError, errorFromResponse, formatDuration } from "./errors";
import { LINK_LOCAL_CODE } from "./guarded-lookup";

/** What every request to one cluster shares: where, how to verify it, how to authenticate. */
export type Connection = {
  hostname: string;
  port: number;
  basePath: string;
  agent: https.Agent;
  /** Long-lived watches: sockets of their own, so they never wait for (or hold) a request's. */
  watchAgent?: https.Agent;
  headers: Record<string, string>;
  lookup: LookupFunction;
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
    const status = response.statusCode ?? 0;
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

/** The reason a caller's signal carries when it is a ClusterError (a Deadline's), else a generic one. */
export function cancelledError(signal: AbortSignal): ClusterError {
  return signal.reason instanceof ClusterError ? signal.reason : new ClusterError("timeout", "the request was cancelled");
}

/** Sends a request and resolves with the response once its headers arrive. */
export function send(connection: Connection, request: HttpRequest, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...connection.headers, Accept: request.accept ?? "application/json", "User-Agent": "fleetline" };
    if (request.body !== undefined) {
      headers["Content-Type"] = request.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(request.body));
    }
    const outgoing = https.request(
      {
        hostname: connection.hostname,
        port: connection.port,
        path: connection.basePath + request.path,
        method: request.method,
        headers,
        agent: connection.agent,
        lookup: connection.lookup,
        signal,
      },
      resolve,
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

export async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_RESPONSE_BYTES) {
      response.destroy();
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

export function headerValue(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_|INVALID_CA|CHAIN_TOO_LONG|PATH_LENGTH|^ERR_TLS_/;
const HANDSHAKE_CODE = /^ERR_SSL_|^EPROTO$/;

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
  if (code === "ECONNRESET" || code === "EPIPE") return new ClusterError("network", `connection to ${host} was reset`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return new ClusterError("network", `${host} is unreachable`);
  if (code === "ETIMEDOUT") return new ClusterError("timeout", `connecting to ${host} timed out`);
  return new ClusterError("network", code ? `network error (${code})` : `network error talking to ${host}`);
}
