import type { LookupAddress, LookupOptions } from "node:dns";
import { describe, expect, it } from "vitest";
import { LINK_LOCAL_CODE, createGuardedLookup } from "./guarded-lookup";

/** A resolver answering from a table, standing in for DNS. */
function fakeResolver(table: Record<string, LookupAddress[]>) {
  return (hostname: string, _options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    const addresses = table[hostname];
    if (!addresses) {
      const error: NodeJS.ErrnoException = new Error("not found");
      error.code = "ENOTFOUND";
      return callback(error, []);
    }
    callback(null, addresses);
  };
}

const resolver = fakeResolver({
  "cluster.internal": [{ address: "10.0.0.7", family: 4 }, { address: "fd12::7", family: 6 }],
  "metadata.evil": [{ address: "169.254.169.254", family: 4 }],
  "mixed.evil": [{ address: "10.0.0.8", family: 4 }, { address: "::ffff:169.254.169.254", family: 6 }],
  "aws6.evil": [{ address: "fd00:ec2::254", family: 6 }],
});

function lookup(hostname: string, all: boolean) {
  const guarded = createGuardedLookup(resolver);
  return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) => {
    guarded(hostname, all ? { all: true } : {}, (error, address, family) => resolve({ error, address, family }));
  });
}

describe("createGuardedLookup", () => {
  it("passes ordinary answers through in the shape Node asked for", async () => {
    expect(await lookup("cluster.internal", false)).toEqual({ error: null, address: "10.0.0.7", family: 4 });
    const all = await lookup("cluster.internal", true);
    expect(all.error).toBeNull();
    expect(all.address).toHaveLength(2);
  });

  it.each(["metadata.evil", "mixed.evil", "aws6.evil"])("refuses %s, which resolves to a link-local address", async (host) => {
    for (const all of [false, true]) {
      const { error } = await lookup(host, all);
      expect(error?.code).toBe(LINK_LOCAL_CODE);
    }
  });

  it("passes resolver errors through", async () => {
    expect((await lookup("missing.example", false)).error?.code).toBe("ENOTFOUND");
  });
});
