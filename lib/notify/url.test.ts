import { describe, expect, it } from "vitest";
import { checkNotificationUrl, displayHost, isPrivateAddress } from "./url";

const strict = { allowLocal: false };
const local = { allowLocal: true };

describe("checkNotificationUrl", () => {
  it("accepts https webhook URLs", () => {
    expect(checkNotificationUrl("https://hooks.slack.com/services/T0/B0/xyz", strict)).toBeUndefined();
    expect(checkNotificationUrl("https://example.webhook.office.com/webhookb2/abc?x=1", strict)).toBeUndefined();
  });

  it("refuses plain http unless local sources are allowed", () => {
    expect(checkNotificationUrl("http://hooks.example.com/x", strict)).toBe("must start with https://");
    expect(checkNotificationUrl("http://127.0.0.1:8080/x", local)).toBeUndefined();
    expect(checkNotificationUrl("ftp://example.com/x", local)).toBe("must start with https://");
  });

  it("refuses link-local and metadata hosts always, loopback and private ones without local sources", () => {
    for (const host of ["169.254.169.254", "[fe80::1]", "metadata.google.internal", "[::ffff:169.254.169.254]"]) {
      expect(checkNotificationUrl(`https://${host}/x`, local)).toMatch(/link-local/);
    }
    for (const host of ["127.0.0.1", "localhost", "0x7f.1", "10.1.2.3", "192.168.0.9", "172.20.0.1", "[fd00::5]"]) {
      expect(checkNotificationUrl(`https://${host}/x`, strict)).toMatch(/loopback or private/);
    }
    expect(checkNotificationUrl("https://172.32.0.1/x", strict)).toBeUndefined();
  });

  it("refuses credentials, fragments, whitespace, non-ASCII and empty input by name", () => {
    expect(checkNotificationUrl("", strict)).toBe("is required");
    expect(checkNotificationUrl("https://user:pw@example.com/x", strict)).toMatch(/user name or password/);
    expect(checkNotificationUrl("https://example.com/x#y", strict)).toMatch(/fragment/);
    expect(checkNotificationUrl("https://exa mple.com/", strict)).toMatch(/whitespace/);
    expect(checkNotificationUrl("https://exämple.com/", strict)).toMatch(/ASCII/);
    expect(checkNotificationUrl("not a url", strict)).toMatch(/whitespace/);
    expect(checkNotificationUrl("https://", strict)).toBe("is not a valid URL");
    expect(checkNotificationUrl(`https://example.com/${"a".repeat(2100)}`, strict)).toMatch(/at most/);
  });
});

describe("displayHost", () => {
  it("shows the host and hides the path, which is the secret", () => {
    expect(displayHost("https://hooks.slack.com/services/T0/B0/secret")).toBe("hooks.slack.com/…");
    expect(displayHost("https://example.com:8443")).toBe("example.com:8443");
  });
});

describe("isPrivateAddress", () => {
  it("knows RFC 1918, CGNAT and unique-local ranges, in mapped forms too", () => {
    expect(isPrivateAddress("100.64.0.1")).toBe(true);
    expect(isPrivateAddress("[::ffff:10.0.0.1]")).toBe(true);
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
    expect(isPrivateAddress("example.com")).toBe(false);
  });
});
