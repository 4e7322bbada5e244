import { env } from "@/lib/env";

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/**
 * Set by scripts/server.mjs on every request from the socket's own address, as `<token> <address>`.
 * The token is random per process and shared through this global, so a client that sends the
 * header itself (or a server started some other way, e.g. plain `next start`) is not believed.
 */
export const PEER_HEADER = "x-fleetline-peer";
const PEER_TOKEN = Symbol.for("fleetline.peer-token");

function header(h: HeaderBag, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

const normalise = (ip: string) => ip.trim().replace(/^::ffff:/, "").slice(0, 64);

/** The socket address scripts/server.mjs vouched for, or null when the request did not come through it. */
export function peerAddress(h: HeaderBag): string | null {
  const token = (globalThis as Record<symbol, unknown>)[PEER_TOKEN];
  const value = header(h, PEER_HEADER);
  if (typeof token !== "string" || !token || !value) return null;
  const space = value.indexOf(" ");
  if (space < 0 || value.slice(0, space) !== token) return null;
  const ip = normalise(value.slice(space + 1));
  return ip || null;
}

/**
 * The client address for rate limits and audit. It comes from the TCP socket; X-Forwarded-For is
 * written by the client and is never believed, except its right-most entry when
 * FLEETLINE_TRUST_PROXY says a reverse proxy in front appends the address it saw (that entry is
 * the proxy's own hop; anything left of it is again the client's word).
 */
export function clientIp(h: HeaderBag): string {
  if (env().FLEETLINE_TRUST_PROXY) {
    const hops = (header(h, "x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return normalise(last);
  }
  return peerAddress(h) ?? "unknown";
}
