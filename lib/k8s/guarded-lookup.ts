import "server-only";
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { isLinkLocalAddress } from "./url-guard";

/** Error code of a lookup refused because a name resolved to a link-local address. */
export const LINK_LOCAL_CODE = "EFLEETLINE_LINK_LOCAL";

type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for net/tls connections that refuses link-local answers. The URL check
 * only sees the host name; this closes the gap of a name (or a DNS rebinding) that
 * resolves to 169.254.169.254 when the connection is made.
 */
export function createGuardedLookup(resolve: Resolver = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      const [first] = addresses ?? [];
      if (err || !first) return callback(err ?? lookupError("ENOTFOUND", "no addresses"), "");
      if (addresses.some((a) => isLinkLocalAddress(a.address))) {
        return callback(lookupError(LINK_LOCAL_CODE, "host name resolves to a link-local address"), "");
      }
      // Node asks for every address when it races IPv4/IPv6 (autoSelectFamily), else for one.
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

function lookupError(code: string, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(message);
  error.code = code;
  return error;
}
