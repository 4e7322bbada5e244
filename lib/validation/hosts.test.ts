import { describe, expect, it } from "vitest";
import { classifyLocalHost, parseIpv4, parseIpv6 } from "./hosts";

describe("parseIpv4", () => {
  it.each([
    ["127.0.0.1", 0x7f000001],
    ["127.1", 0x7f000001],
    ["0x7f.0.0.1", 0x7f000001],
    ["0177.0.0.1", 0x7f000001],
    ["2130706433", 0x7f000001],
    ["0x7f000001", 0x7f000001],
    ["169.254.169.254.", 0xa9fea9fe],
  ])("reads %s like a resolver does", (host, value) => {
    expect(parseIpv4(host)).toBe(value);
  });

  it.each(["example.com", "256.0.0.1", "1.2.3.4.5", "08.0.0.1", "", "1..2"])("refuses %j", (host) => {
    expect(parseIpv4(host)).toBeUndefined();
  });
});

describe("parseIpv6", () => {
  it("expands compressed and IPv4-suffixed forms", () => {
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("fe80::1:2")).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(parseIpv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  });

  it.each(["1::2::3", "fe80::1%eth0", "12345::", "1:2:3:4:5:6:7", ":::"])("refuses %j", (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });
});

describe("classifyLocalHost", () => {
  it.each([
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "127.0.0.1",
    "127.255.0.9",
    "127.1",
    "2130706433",
    "0x7f.1",
    "0.0.0.0",
    "[::1]",
    "[::]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
  ])("%s is loopback", (host) => {
    expect(classifyLocalHost(host)).toBe("loopback");
  });

  it.each([
    "169.254.169.254",
    "169.254.0.1",
    "[fe80::1]",
    "[febf::1]",
    "[fd00:ec2::254]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b::a9fe:a9fe]",
    "metadata.google.internal",
  ])("%s is link-local or metadata", (host) => {
    expect(classifyLocalHost(host)).toBe("link-local");
  });

  it.each(["github.com", "10.0.0.1", "192.168.1.10", "172.16.0.1", "[fd00::1]", "[2001:db8::1]", "169.255.0.1", "localhost.example.com"])(
    "%s is neither",
    (host) => {
      expect(classifyLocalHost(host)).toBeUndefined();
    },
  );
});
