import { describe, expect, it } from "vitest";
import { planWaves, strategySchema, withinFailureBudget } from "./waves";

const target = (i: number, env: string) => ({ clusterId: `c${i}`, name: `${env}-${String(i).padStart(2, "0")}`, labels: { env } });
const fleet = [...Array.from({ length: 3 }, (_, i) => target(i, "dev")), ...Array.from({ length: 2 }, (_, i) => target(10 + i, "staging")), ...Array.from({ length: 20 }, (_, i) => target(20 + i, "prod"))];
const env = (value: string) => ({ matchLabels: { env: value } });

describe("rollout waves", () => {
  it("takes dev, then staging, then 10 % of prod, then the rest, each target once, the same every time", () => {
    const strategy = strategySchema.parse({ waves: [{ name: "dev", selector: env("dev") }, { name: "staging", selector: env("staging") }, { name: "canary", selector: env("prod"), percent: 10 }, { name: "prod" }] });
    const plan = planWaves(strategy, fleet);
    expect(plan.map((w) => [w.name, w.clusterIds.length])).toEqual([["dev", 3], ["staging", 2], ["canary", 2], ["prod", 18]]);
    expect(plan[2]!.clusterIds).toEqual(["c20", "c21"]);
    expect(new Set(plan.flatMap((w) => w.clusterIds)).size).toBe(fleet.length);
    expect(planWaves(strategy, [...fleet].reverse())).toEqual(plan);
    expect(strategy.waves[0]).toMatchObject({ concurrency: 16, soakSeconds: 120, maxFailures: 0, approval: "auto" });
  });

  it("puts targets no wave takes into a last wave, rest, rather than leaving them behind", () => {
    const plan = planWaves(strategySchema.parse({ waves: [{ name: "dev", selector: env("dev") }] }), fleet);
    expect(plan.map((w) => [w.name, w.clusterIds.length, w.implicit])).toEqual([["dev", 3, false], ["rest", 22, true]]);
    // A share of one matching cluster is that cluster: a canary of 1 % still has a canary.
    expect(planWaves(strategySchema.parse({ waves: [{ name: "one", selector: env("staging"), percent: 1 }] }), fleet)[0]!.clusterIds).toEqual(["c10"]);
  });

  it("refuses bad strategies on the field", () => {
    const result = strategySchema.safeParse({ waves: [{ name: "Dev", percent: 0, soakSeconds: -1 }, { name: "b", approval: "never" }, { name: "b" }] });
    expect(result.success).toBe(false);
    const issues = Object.fromEntries(result.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(issues).toMatchObject({ "waves.0.percent": "must be a whole percentage from 1 to 100", "waves.0.soakSeconds": "must be from 0 to 86400 seconds (a day)", "waves.1.approval": "must be auto, operator or second-person", "waves.2.name": "is already the name of an earlier wave" });
    expect(issues["waves.0.name"]).toBeDefined();
    expect(strategySchema.safeParse({ waves: [] }).error?.issues[0]?.message).toBe("needs at least one wave");
  });

  it("a gate tolerates at most its count, or its share, of failures", () => {
    expect(withinFailureBudget({ maxFailures: 0 }, 0, 10)).toBe(true);
    expect(withinFailureBudget({ maxFailures: 0 }, 1, 10)).toBe(false);
    expect(withinFailureBudget({ maxFailures: 0, maxFailurePercent: 10 }, 1, 10)).toBe(true);
    expect(withinFailureBudget({ maxFailures: 0, maxFailurePercent: 10 }, 2, 10)).toBe(false);
  });
});
