import "server-only";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { classifyLocalHost } from "@/lib/validation/hosts";
import { isPrivateAddress } from "./url";
import type { Payload } from "./format";

export type SendOptions = {
  timeoutMs: number;
  /** Loopback and private addresses (FLEETLINE_ALLOW_LOCAL_SOURCES, tests); link-local never. */
  allowLocal: boolean;
  maxAttempts: number;
  /** First backoff; doubles per attempt, capped at maxBackoffMs. Retry-After wins when given. */
  backoffMs?: number;
  maxBackoffMs?: number;
};

export type Attempt = { ok: boolean; statusCode: number | null; error: string | null; retryAfterMs: number | null };
export type SendResult = Attempt & { attempts: number };

const RESPONSE_BYTES = 2048;

/** Refuses an address this process must not post to: the check runs on what the socket is about to connect to. */
export function refusedAddress(address: string, allowLocal: boolean): string | undefined {
  const host = net.isIPv6(address) ? `[${address}]` : address;
  const local = classifyLocalHost(host);
  if (local === "link-local") return `resolves to a link-local address (${address}): refused`;
  if (!allowLocal && (local === "loopback" || isPrivateAddress(host))) return `resolves to a loopback or private address (${address}): refused`;
  return undefined;
}

function vettedLookup(allowLocal: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const list = addresses as dns.LookupAddress[];
      for (const a of list) {
        const refused = refusedAddress(a.address, allowLocal);
        if (refused) return callback(Object.assign(new Error(refused), { code: "EREFUSEDADDRESS" }), "", 4);
      }
      const first = list[0];
      if (!first) return callback(Object.assign(new Error("no address"), { code: "ENOTFOUND" }), "", 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; capped at 5 minutes. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), 300_000) : null;
}

/**
 * One POST: no redirect followed (http.request never does; a 3xx is a failure), the address
 * checked after DNS resolution, the whole exchange bounded by timeoutMs (a receiver that never
 * answers is dropped, not waited on), at most 2 KiB of the answer read.
 */
export function postOnce(target: string, payload: Payload, options: Pick<SendOptions, "timeoutMs" | "allowLocal">): Promise<Attempt> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return resolve({ ok: false, statusCode: null, error: "the stored URL is not a URL", retryAfterMs: null });
    }
    const literal = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    if (net.isIP(literal)) {
      const refused = refusedAddress(literal, options.allowLocal);
      if (refused) return resolve({ ok: false, statusCode: null, error: `host ${refused}`, retryAfterMs: null });
    }
    const client = url.protocol === "https:" ? https : http;
    let settled = false;
    const done = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const req = client.request(url, {
      method: "POST",
      headers: { ...payload.headers, "content-length": Buffer.byteLength(payload.body), "user-agent": "Fleetline-Notifications" },
      lookup: vettedLookup(options.allowLocal),
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, statusCode: null, error: `no answer within ${options.timeoutMs} ms`, retryAfterMs: null });
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => done({ ok: false, statusCode: null, error: error.message.slice(0, 300), retryAfterMs: null }));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (text.length < RESPONSE_BYTES) text += chunk;
        else res.destroy();
      });
      const finish = () => {
        const ok = status >= 200 && status < 300;
        const error = ok ? null : status >= 300 && status < 400 ? `answered ${status} (a redirect, not followed)` : `answered ${status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, " ")}` : ""}`;
        done({ ok, statusCode: status, error, retryAfterMs: retryAfterMs(res.headers["retry-after"]) });
      };
      res.on("end", finish);
      res.on("close", finish);
    });
    req.end(payload.body);
  });
}

/** Worth another attempt: throttled, a server error, or no answer at all (network, timeout); not a 4xx or a refused address. */
function retriable(a: Attempt): boolean {
  if (a.statusCode === null) return !(a.error ?? "").includes("refused");
  return a.statusCode === 429 || a.statusCode >= 500;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts with retries on 429, 5xx and network failures: exponential backoff, or what Retry-After asks. */
export async function send(target: string, payload: Payload, options: SendOptions): Promise<SendResult> {
  const base = options.backoffMs ?? 1000;
  const cap = options.maxBackoffMs ?? 60_000;
  let attempt: Attempt = { ok: false, statusCode: null, error: "not sent", retryAfterMs: null };
  for (let n = 1; n <= options.maxAttempts; n++) {
    attempt = await postOnce(target, payload, options);
    if (attempt.ok || !retriable(attempt) || n === options.maxAttempts) return { ...attempt, attempts: n };
    await sleep(attempt.retryAfterMs ?? Math.min(cap, base * 2 ** (n - 1)));
  }
  return { ...attempt, attempts: options.maxAttempts };
}
