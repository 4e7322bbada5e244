import { describe, expect, it } from "vitest";
import { EnvError, decodeKey, parseEnv } from "./env";

describe("parseEnv", () => {
  it("applies defaults on an empty environment", () => {
    const e = parseEnv({});
    expect(e.DATABASE_URL).toBe("./data/fleetline.db");
    expect(e.FLEETLINE_SESSION_MAX_AGE_S).toBe(8 * 3600);
    expect(e.FLEETLINE_SECRET_KEY).toBeUndefined();
    expect(e.FLEETLINE_ALLOW_LOCAL_SOURCES).toBe(false);
  });

  it("in-cluster mode is off by default and its cluster name must be a DNS label", () => {
    expect(parseEnv({})).toMatchObject({ FLEETLINE_IN_CLUSTER: false, FLEETLINE_IN_CLUSTER_NAME: "in-cluster" });
    expect(parseEnv({ FLEETLINE_IN_CLUSTER: "true", FLEETLINE_IN_CLUSTER_NAME: "home" })).toMatchObject({ FLEETLINE_IN_CLUSTER: true, FLEETLINE_IN_CLUSTER_NAME: "home" });
    expect(() => parseEnv({ FLEETLINE_IN_CLUSTER_NAME: "Home_Cluster" })).toThrow(/FLEETLINE_IN_CLUSTER_NAME: must be lowercase/);
  });

  it("replica id and TTL: optional id of letters, digits, '.', '_' and '-'; TTL 10 s by default", () => {
    expect(parseEnv({}).FLEETLINE_REPLICA_ID).toBeUndefined();
    expect(parseEnv({}).FLEETLINE_REPLICA_TTL_S).toBe(10);
    expect(parseEnv({ FLEETLINE_REPLICA_ID: "fleetline-7d9f-0", FLEETLINE_REPLICA_TTL_S: "30" })).toMatchObject({ FLEETLINE_REPLICA_ID: "fleetline-7d9f-0", FLEETLINE_REPLICA_TTL_S: 30 });
    expect(() => parseEnv({ FLEETLINE_REPLICA_ID: "a b" })).toThrow(/FLEETLINE_REPLICA_ID: must be 1 to 63 letters/);
    expect(() => parseEnv({ FLEETLINE_REPLICA_TTL_S: "1" })).toThrow(/FLEETLINE_REPLICA_TTL_S/);
  });

  it("HTTP/2 to clusters is on by default; only on or off is accepted", () => {
    expect(parseEnv({}).FLEETLINE_HTTP2).toBe("on");
    expect(parseEnv({ FLEETLINE_HTTP2: "off" }).FLEETLINE_HTTP2).toBe("off");
    expect(() => parseEnv({ FLEETLINE_HTTP2: "yes" })).toThrow(/FLEETLINE_HTTP2/);
  });

  it("accepts a hex or base64 32-byte secret key", () => {
    const hex = "ab".repeat(32);
    expect(parseEnv({ FLEETLINE_SECRET_KEY: hex }).FLEETLINE_SECRET_KEY).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString("base64");
    expect(parseEnv({ FLEETLINE_SECRET_KEY: b64 }).FLEETLINE_SECRET_KEY).toBe(b64);
  });

  it("rejects a short secret key and names the variable", () => {
    expect(() => parseEnv({ FLEETLINE_SECRET_KEY: "tooshort" })).toThrowError(/FLEETLINE_SECRET_KEY: must be 32 bytes/);
  });

  it("requires the seed admin email and password together", () => {
    expect(() => parseEnv({ FLEETLINE_ADMIN_EMAIL: "a@example.com" })).toThrowError(/FLEETLINE_ADMIN_PASSWORD/);
    expect(() =>
      parseEnv({ FLEETLINE_ADMIN_EMAIL: "a@example.com", FLEETLINE_ADMIN_PASSWORD: "short" }),
    ).toThrowError(/at least 12/);
    const e = parseEnv({ FLEETLINE_ADMIN_EMAIL: "a@example.com", FLEETLINE_ADMIN_PASSWORD: "long-enough-pass" });
    expect(e.FLEETLINE_ADMIN_EMAIL).toBe("a@example.com");
  });

  it("requires all three single sign-on variables or none", () => {
    expect(() => parseEnv({ FLEETLINE_OIDC_ISSUER: "https://idp.example.com" })).toThrowError(EnvError);
    const e = parseEnv({
      FLEETLINE_OIDC_ISSUER: "https://idp.example.com",
      FLEETLINE_OIDC_CLIENT_ID: "fleetline",
      FLEETLINE_OIDC_CLIENT_SECRET: "s3cret",
    });
    expect(e.FLEETLINE_OIDC_GROUPS_CLAIM).toBe("groups");
  });

  it("rejects a session lifetime out of range and a non-numeric one", () => {
    expect(() => parseEnv({ FLEETLINE_SESSION_MAX_AGE_S: "10" })).toThrowError(/FLEETLINE_SESSION_MAX_AGE_S/);
    expect(() => parseEnv({ FLEETLINE_SESSION_MAX_AGE_S: "soon" })).toThrowError(/FLEETLINE_SESSION_MAX_AGE_S/);
  });

  it("rejects a malformed NEXTAUTH_URL", () => {
    expect(() => parseEnv({ NEXTAUTH_URL: "not a url" })).toThrowError(/NEXTAUTH_URL/);
  });
});

describe("decodeKey", () => {
  it("returns null for 31 bytes", () => {
    expect(decodeKey(Buffer.alloc(31).toString("base64"))).toBeNull();
  });
});
