import { describe, expect, it } from "vitest";
import { ACTION_BODY_LIMIT_BYTES, checkActionRequest, securityHeaders } from "./http-policy";

const action = { method: "POST", nextAction: "abc123", host: "portal.example:3000", contentLength: "120" };

describe("server-action gate", () => {
  it("refuses a foreign or null Origin with 403 and lets the portal's own origin through", () => {
    expect(checkActionRequest({ ...action, origin: "https://evil.example" })?.status).toBe(403);
    expect(checkActionRequest({ ...action, origin: "null" })?.status).toBe(403);
    expect(checkActionRequest({ ...action, origin: "not a url" })?.status).toBe(403);
    expect(checkActionRequest({ ...action, origin: "http://portal.example:3000" })).toBeNull();
    expect(checkActionRequest({ ...action, host: "127.0.0.1:3000", origin: "https://fleet.example", publicUrl: "https://fleet.example" })).toBeNull();
    // Not an action: not this gate's business.
    expect(checkActionRequest({ ...action, nextAction: null, origin: "https://evil.example" })).toBeNull();
  });

  it("answers 413 past the body limit, naming the limit", () => {
    const verdict = checkActionRequest({ ...action, origin: "http://portal.example:3000", contentLength: String(5 * 1024 * 1024) });
    expect(verdict).toEqual({ status: 413, message: "Request too large: the form sent 5.0 MiB; the limit is 2 MiB." });
    expect(checkActionRequest({ ...action, origin: "http://portal.example:3000", contentLength: String(ACTION_BODY_LIMIT_BYTES) })).toBeNull();
  });
});

describe("security headers", () => {
  it("uses the nonce for scripts, never unsafe-inline, and HSTS only over https", () => {
    const http = securityHeaders("n0nce", { dev: false, https: false });
    expect(http["Content-Security-Policy"]).toContain("script-src 'self' 'nonce-n0nce' 'strict-dynamic'");
    expect(/script-src[^;]*unsafe-(inline|eval)/.test(http["Content-Security-Policy"]!)).toBe(false);
    expect(http["Strict-Transport-Security"]).toBeUndefined();
    const https = securityHeaders("n0nce", { dev: false, https: true });
    expect(https["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(https["Content-Security-Policy"]).toContain("upgrade-insecure-requests");
  });
});
