import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types, run by `npm start` as is
import { listenAddress } from "./listen-address.mjs";

type Address = { host: string; port: number; warnings: string[] } | { error: string };
const resolve = listenAddress as (env: Record<string, string | undefined>) => Address;

describe("listenAddress", () => {
  it("is loopback on port 3000 when nothing is configured", () => {
    expect(resolve({})).toEqual({ host: "127.0.0.1", port: 3000, warnings: [] });
  });

  it("ignores HOSTNAME when it is the machine's name (as shells, Docker and Kubernetes export it)", () => {
    expect(resolve({ HOSTNAME: "build-host-7", PORT: "8080" })).toEqual({ host: "127.0.0.1", port: 8080, warnings: [] });
  });

  it("binds where FLEETLINE_HOST says", () => {
    expect(resolve({ FLEETLINE_HOST: "0.0.0.0", HOSTNAME: "build-host-7" })).toMatchObject({ host: "0.0.0.0", port: 3000 });
    expect(resolve({ FLEETLINE_HOST: "::1" })).toMatchObject({ host: "::1" });
  });

  it("still reads an address literal in HOSTNAME, with a warning", () => {
    const address = resolve({ HOSTNAME: "0.0.0.0" });
    expect(address).toMatchObject({ host: "0.0.0.0" });
    expect("warnings" in address ? address.warnings.join() : "").toContain("FLEETLINE_HOST");
  });

  it.each([["abc"], ["0"], ["70000"], ["80.5"], ["-1"]])("refuses PORT=%s by name", (port) => {
    expect(resolve({ PORT: port })).toEqual({ error: expect.stringContaining("PORT must be a TCP port") });
  });

  it("refuses a FLEETLINE_HOST that is not an address", () => {
    expect(resolve({ FLEETLINE_HOST: "my-laptop" })).toEqual({ error: expect.stringContaining("FLEETLINE_HOST must be an IP address") });
  });
});
