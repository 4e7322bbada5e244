import { describe, expect, it } from "vitest";
import { matchesSelector } from "@/lib/validation/label-selector";
import { formatSelector, parseSelectorText } from "./selector-text";

describe("parseSelectorText", () => {
  it("reads kubectl's selector syntax into matchLabels and matchExpressions", () => {
    expect(parseSelectorText("env=prod, tier in (web, api), team!=ops, region notin (us,ap), gpu, !legacy")).toEqual({
      ok: true,
      selector: {
        matchLabels: { env: "prod" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["web", "api"] },
          { key: "team", operator: "NotIn", values: ["ops"] },
          { key: "region", operator: "NotIn", values: ["us", "ap"] },
          { key: "gpu", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      },
    });
    expect(parseSelectorText("env==prod\ntopology.kubernetes.io/zone=eu-1a")).toEqual({ ok: true, selector: { matchLabels: { env: "prod", "topology.kubernetes.io/zone": "eu-1a" } } });
  });

  it("refuses what no cluster could match or Kubernetes would refuse, naming the requirement", () => {
    expect(parseSelectorText("")).toEqual({ ok: false, message: expect.stringContaining("is required") });
    expect(parseSelectorText(" , ")).toEqual({ ok: false, message: expect.stringContaining("is required") });
    expect(parseSelectorText("env in (prod")).toEqual({ ok: false, message: "has an unclosed parenthesis" });
    expect(parseSelectorText("env in ((prod))")).toEqual({ ok: false, message: "has unbalanced or nested parentheses" });
    expect(parseSelectorText("env in ()")).toEqual({ ok: false, message: '"env in ()": the set needs at least one value' });
    expect(parseSelectorText("Env_=prod")).toMatchObject({ ok: false, message: expect.stringMatching(/^"Env_=prod": must start and end/) });
    expect(parseSelectorText("env=pr od")).toMatchObject({ ok: false, message: expect.stringContaining("is not a requirement") });
    expect(parseSelectorText("env=<script>")).toMatchObject({ ok: false, message: expect.stringContaining("label value") });
    expect(parseSelectorText("env=prod, env=dev")).toEqual({ ok: false, message: '"env" must equal both "prod" and "dev": no cluster can match' });
    expect(parseSelectorText(Array.from({ length: 33 }, (_, i) => `k${i}`).join(","))).toEqual({ ok: false, message: "must have at most 32 requirements" });
  });

  it("formats back to text that parses to the same selector, with the same meaning", () => {
    for (const text of ["env=prod, tier in (web,api), team!=ops, region notin (us,ap), gpu, !legacy", "zone in (a)"]) {
      const parsed = parseSelectorText(text);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(formatSelector(parsed.selector)).toBe(text);
      const again = parseSelectorText(formatSelector(parsed.selector));
      expect(again).toEqual(parsed);
    }
    const parsed = parseSelectorText("env=prod, team!=ops, !legacy");
    if (!parsed.ok) throw new Error(parsed.message);
    expect(matchesSelector({ env: "prod" }, parsed.selector)).toBe(true);
    expect(matchesSelector({ env: "prod", team: "ops" }, parsed.selector)).toBe(false);
    expect(matchesSelector({ env: "prod", legacy: "true" }, parsed.selector)).toBe(false);
  });
});
