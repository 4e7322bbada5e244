import { describe, expect, it } from "vitest";
import { checkApiServerUrl, isLinkLocalAddress } from "./url-guard";

describe("checkApiServerUrl", () => {
  it.each([
    "https://127.0.0.1:6443",
    "https://[::1]:6443",
    "https://10.0.0.5:6443",
    "https://192.168.1.20",
    "https://172.16.3.4:443",
    "https://kubernetes.default.svc",
    "https://rancher.example.com/k8s/clusters/c-abc12",
    "https://[fd12:3456::1]:6443",
  ])("accepts %s (private and loopback addresses are normal for clusters)", (url) => {
    expect(checkApiServerUrl(url)).toBeNull();
  });

  it.each([
    ["http://10.0.0.5:6443", /https/],
    ["ftp://example.com", /https/],
    ["not a url", /not a valid URL/],
    ["", /URL/],
    [" https://example.com", /spaces/],
    ["https://admin:hunter2@example.com", /user name or password/],
    ["https://example.com/?x=1", /query/],
    ["https://example.com/#frag", /fragment/],
  ])("refuses %s", (url, reason) => {
    expect(checkApiServerUrl(url)).toMatch(reason);
  });

  it("never repeats the URL (it may carry credentials)", () => {
    expect(checkApiServerUrl("https://admin:hunter2@example.com")).not.toContain("hunter2");
  });

  it.each([
    "https://169.254.169.254",
    "https://169.254.0.1:6443",
    "https://[fd00:ec2::254]",
    "https://[::ffff:169.254.169.254]",
    "https://[::ffff:a9fe:a9fe]",
    "https://[64:ff9b::169.254.169.254]",
    "https://[fe80::1]",
    // The WHATWG parser normalises these IPv4 spellings to 169.254.169.254.
    "https://2852039166",
    "https://0xa9.0xfe.0xa9.0xfe",
    "https://0251.0376.0251.0376",
    "https://169.254.43518",
  ])("refuses the link-local/metadata address %s", (url) => {
    expect(checkApiServerUrl(url)).toMatch(/link-local/);
  });

  it("refuses overlong URLs", () => {
    expect(checkApiServerUrl(`https://example.com/${"a".repeat(3000)}`)).toMatch(/longer/);
  });
});

describe("isLinkLocalAddress", () => {
  it.each(["169.254.169.254", "169.254.255.255", "fd00:ec2::254", "FD00:EC2:0:0:0:0:0:254", "::ffff:169.254.1.1", "::169.254.1.1", "fe80::1%eth0", "febf::1"])(
    "%s is link-local",
    (ip) => expect(isLinkLocalAddress(ip)).toBe(true),
  );

  it.each(["127.0.0.1", "10.0.0.1", "169.253.255.255", "169.255.0.1", "::1", "::", "fd00:ec2::253", "fec0::1", "::ffff:10.0.0.1", "example.com", "1.2.3", "1:2:3:4:5:6:7:8:9", "1::2::3"])(
    "%s is not",
    (ip) => expect(isLinkLocalAddress(ip)).toBe(false),
  );
});
