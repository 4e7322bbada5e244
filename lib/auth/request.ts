import { env } from "@/lib/env";

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(h: HeaderBag, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The client address for rate limiting and audit. Next fills x-forwarded-for from the socket
 * when a request arrives without one; behind a trusted proxy the proxy's last hop is the client.
 */
export function clientIp(h: HeaderBag): string {
  const forwarded = header(h, "x-forwarded-for");
  if (!forwarded) return "unknown";
  const hops = forwarded.split(",").map((s) => s.trim()).filter(Boolean);
  const ip = env().FLEETLINE_TRUST_PROXY ? hops[hops.length - 1] : hops[0];
  return (ip ?? "unknown").replace(/^::ffff:/, "").slice(0, 64);
}
