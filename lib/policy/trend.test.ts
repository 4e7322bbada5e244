import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";
import type { PolicySummary } from "./aggregate";

// The policy trend on a real SQLite file: persisting readings writes a history row only when a
// cluster's policy starts or stops passing, and the trend walks back from today's counts.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let persist: typeof import("./persist");
let trend: typeof import("./trend");
let schema: typeof import("@/db/schema-policy");
let clusterId = "";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  [persist, trend, schema] = await Promise.all([import("./persist"), import("./trend"), import("@/db/schema-policy")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  clusterId = insertCluster({ name: "prod-1", displayName: "prod-1", labels: {}, authMethod: "token", credentials: { server: "https://127.0.0.1:1", token: "t" }, createdBy: "test" }, null).id;
});
afterAll(() => temp?.cleanup());

const DAY = 86_400_000;
const now = Date.UTC(2026, 11, 2, 12);
const policy = (name: string, fail: number, at: number): PolicySummary => ({ engine: "gatekeeper", policy: name, source: "gatekeeper", category: null, severity: null, enforcementAction: "deny", pass: fail ? 0 : 1, fail, warn: 0, error: 0, skip: 0, auditedAt: new Date(at), violations: [] });
const read = (at: number, policies: PolicySummary[]) => persist.persistPolicies(clusterId, [{ engine: "gatekeeper", ok: true, aggregated: { policies, results: policies.length, truncated: false } }], new Date(at));

describe("policy trend", () => {
  it("records only changes, and gives each day's % passing back to the first reading", () => {
    read(now - 2 * DAY, [policy("a", 2, now - 2 * DAY), policy("b", 0, now - 2 * DAY)]);
    read(now - 2 * DAY + 60_000, [policy("a", 2, now - 2 * DAY), policy("b", 0, now - 2 * DAY)]);
    read(now - DAY, [policy("a", 0, now - DAY), policy("b", 0, now - DAY)]);
    read(now - 60_000, [policy("a", 0, now), policy("b", 0, now)]);
    const history = temp.db.select().from(schema.policyResultHistory).all();
    expect(history.map((h) => [h.policy, h.passing, h.previousPassing])).toEqual([
      ["a", false, null],
      ["b", true, null],
      ["a", true, false],
    ]);
    const points = trend.loadPolicyTrend(now).points;
    expect(points.slice(-4).map((p) => p.percent)).toEqual([null, 50, 100, 100]);
  });
});
