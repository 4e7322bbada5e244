import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { GitError } from "./errors";
import { checkResolvedRemote, type Resolver } from "./resolve-guard";

/** A resolver answering from a table, standing in for DNS. */
function table(entries: Record<string, string[]>): Resolver {
  return async (hostname) => {
    const addresses = entries[hostname];
    if (!addresses) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

const resolve = table({
  "git.internal": ["10.0.0.5"],
  "sneaky.example": ["127.0.0.1"],
  "metadata.example": ["169.254.169.254"],
  "mixed.example": ["10.0.0.9", "::ffff:127.0.0.1"],
  "aws6.example": ["fd00:ec2::254"],
});

const refusal = (url: string, allowLocalSources = false) =>
  checkResolvedRemote(url, { allowLocalSources, resolve }).then(
    () => undefined,
    (error: unknown) => (error instanceof GitError ? `${error.kind}: ${error.message}` : String(error)),
  );

describe("checkResolvedRemote (issue 11 item 8)", () => {
  it("refuses a name that resolves to loopback unless local sources are allowed", async () => {
    expect(await refusal("https://sneaky.example/acme/fleet.git")).toBe("invalid: the repository host resolves to a loopback address: local sources are refused unless an administrator allows them");
    expect(await refusal("ssh://git@mixed.example/acme/fleet.git")).toMatch(/^invalid: the repository host resolves to a loopback address/);
    expect(await refusal("https://sneaky.example/acme/fleet.git", true)).toBeUndefined();
  });

  it("refuses link-local and cloud metadata answers whatever the setting", async () => {
    for (const url of ["http://metadata.example/latest", "https://aws6.example/x.git"]) {
      expect(await refusal(url, true)).toBe("invalid: the repository host resolves to a link-local or cloud metadata address: sources there are always refused");
    }
  });

  it("accepts private addresses (internal Git servers are normal) and pins the checked address", async () => {
    expect(await checkResolvedRemote("https://git.internal:8443/acme/fleet.git", { resolve })).toEqual({ host: "git.internal", port: 8443, address: "10.0.0.5" });
    expect(await checkResolvedRemote("ssh://git@git.internal/acme/fleet.git", { resolve })).toEqual({ host: "git.internal", port: 22, address: "10.0.0.5" });
  });

  it("a name that does not resolve is a classified network error, not git's text", async () => {
    expect(await refusal("https://nowhere.example/x.git")).toBe("network: the repository host name could not be resolved (DNS)");
  });

  it("checks literal addresses without asking DNS", async () => {
    expect(await refusal("http://127.0.0.1:9/x.git")).toMatch(/loopback/);
    expect(await checkResolvedRemote("https://10.1.2.3/x.git", { resolve: table({}) })).toMatchObject({ address: "10.1.2.3" });
  });
});
