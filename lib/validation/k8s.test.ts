import { describe, expect, it } from "vitest";
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkLabelKey,
  checkLabelValue,
  dnsLabelSchema,
  labelsSchema,
} from "./k8s";

describe("DNS-1123 label", () => {
  it.each(["a", "web", "team-a", "a1", "1a", "x".repeat(63)])("accepts %s", (name) => {
    expect(checkDnsLabel(name)).toBeUndefined();
  });

  it.each([
    ["", "must not be empty (DNS-1123 label)"],
    ["x".repeat(64), "must be at most 63 characters, got 64 (DNS-1123 label)"],
    ["Web", "must be lowercase (DNS-1123 label)"],
    ["team/a", "must not contain '/' (DNS-1123 label)"],
    ["a..b", "must not contain '..' (DNS-1123 label)"],
    ["a.b", "must not contain '.' (DNS-1123 label)"],
    ["café", "must contain only ASCII characters, no Unicode (DNS-1123 label)"],
    ["ｗｅｂ", "must contain only ASCII characters, no Unicode (DNS-1123 label)"],
    ["a_b", "may contain only lowercase letters, digits and '-' (DNS-1123 label)"],
    ["<script>", "may contain only lowercase letters, digits and '-' (DNS-1123 label)"],
    ["-web", "must start and end with a letter or digit (DNS-1123 label)"],
    ["web-", "must start and end with a letter or digit (DNS-1123 label)"],
  ])("rejects %j with the rule that failed", (name, message) => {
    expect(checkDnsLabel(name)).toBe(message);
  });

  it("reports the same message through zod", () => {
    const result = dnsLabelSchema.safeParse("Web");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("must be lowercase (DNS-1123 label)");
  });

  it("says a missing value is required", () => {
    expect(dnsLabelSchema.safeParse(undefined).error?.issues[0]?.message).toBe("is required");
  });
});

describe("DNS-1123 subdomain", () => {
  it.each(["a", "a.b", "my-app.example.com", `${"a".repeat(63)}.${"b".repeat(63)}`])("accepts %s", (name) => {
    expect(checkDnsSubdomain(name)).toBeUndefined();
  });

  it.each([
    ["a".repeat(254), "must be at most 253 characters, got 254 (DNS-1123 subdomain)"],
    ["a..b", "must not contain '..' (DNS-1123 subdomain)"],
    ["a.-b", "each dot-separated part must start and end with a letter or digit (DNS-1123 subdomain)"],
    [".a", "each dot-separated part must start and end with a letter or digit (DNS-1123 subdomain)"],
    ["A.b", "must be lowercase (DNS-1123 subdomain)"],
    ["a/b", "must not contain '/' (DNS-1123 subdomain)"],
  ])("rejects %j", (name, message) => {
    expect(checkDnsSubdomain(name)).toBe(message);
  });
});

describe("label keys and values", () => {
  it.each(["env", "Env_1", "app.kubernetes.io/name", "fleetline.io/configuration", "a/B.c-d_e"])("accepts key %s", (key) => {
    expect(checkLabelKey(key)).toBeUndefined();
  });

  it.each([
    ["", "must not be empty (label key name)"],
    ["/name", "must not be empty (label key prefix: DNS-1123 subdomain)"],
    ["Example.com/name", "must be lowercase (label key prefix: DNS-1123 subdomain)"],
    ["a/b/c", "must contain at most one '/' (label key: prefix/name)"],
    ["example.com/", "must not be empty (label key name)"],
    [`example.com/${"n".repeat(64)}`, "must be at most 63 characters, got 64 (label key name)"],
    ["-env", "must start and end with a letter or digit (label key name)"],
    ["env!", "may contain only letters, digits, '-', '_' and '.' (label key name)"],
    ["ümlaut", "must contain only ASCII characters, no Unicode (label key name)"],
  ])("rejects key %j", (key, message) => {
    expect(checkLabelKey(key)).toBe(message);
  });

  it("accepts an empty value and rejects a long or malformed one", () => {
    expect(checkLabelValue("")).toBeUndefined();
    expect(checkLabelValue("Prod_1.x")).toBeUndefined();
    expect(checkLabelValue("v".repeat(64))).toBe("must be at most 63 characters, got 64 (label value)");
    expect(checkLabelValue("a b")).toBe("may contain only letters, digits, '-', '_' and '.' (label value)");
  });

  it("validates a labels record and reports the offending key", () => {
    expect(labelsSchema.safeParse({ env: "prod", "topology.kubernetes.io/region": "eu-west-1" }).success).toBe(true);
    const result = labelsSchema.safeParse({ "Bad Key": "x", env: "in valid" });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(["Bad Key", "env"]);
  });

  it("limits the number of labels", () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`k${index}`, "v"]));
    expect(labelsSchema.safeParse(many).error?.issues[0]?.message).toBe("must have at most 64 labels");
  });
});
