import { describe, expect, it } from "vitest";
import { formatLabels, parseLabelsText, registerClusterSchema } from "./cluster-input";

describe("parseLabelsText", () => {
  it("accepts commas and lines", () => {
    expect(parseLabelsText("env=prod, region=eu-west\nteam=platform")).toEqual({
      ok: true,
      labels: { env: "prod", region: "eu-west", team: "platform" },
    });
    expect(parseLabelsText("")).toEqual({ ok: true, labels: {} });
  });

  it.each([
    ["env", /not key=value/],
    ["env=prod,env=dev", /appears twice/],
    ["Env Name=prod", /label key name/],
    ["env=prød", /ASCII/],
    ["env=" + "x".repeat(64), /at most 63/],
    ["a/b/c=x", /at most one '\/'/],
  ])("rejects %s", (text, message) => {
    const result = parseLabelsText(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it("round-trips through formatLabels", () => {
    expect(parseLabelsText(formatLabels({ env: "prod", "fleetline.io/tier": "gold" }))).toEqual({
      ok: true,
      labels: { env: "prod", "fleetline.io/tier": "gold" },
    });
  });
});

describe("registerClusterSchema", () => {
  it("names the field that is wrong", () => {
    const result = registerClusterSchema.safeParse({ name: "Prod_1", credentialMode: "token", server: "", token: "" });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["name", "server", "token"]));
  });

  it("accepts a kubeconfig registration", () => {
    const result = registerClusterSchema.safeParse({ name: "prod-eu-1", labels: "env=prod", credentialMode: "kubeconfig", kubeconfig: "apiVersion: v1" });
    expect(result.success).toBe(true);
    expect(result.data?.labels).toEqual({ env: "prod" });
  });

  it("rejects a kubeconfig over 1 MiB", () => {
    const result = registerClusterSchema.safeParse({ name: "big", credentialMode: "kubeconfig", kubeconfig: "x".repeat(1024 * 1024 + 1) });
    expect(result.error?.issues[0]?.path).toEqual(["kubeconfig"]);
    expect(result.error?.issues[0]?.message).toBe("is larger than 1 MiB");
  });
});
