import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// What a rollback will do, shown before it is confirmed, against a real SQLite file.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let plan: typeof import("./rollback-plan");
let configurationId = "";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  const store = await import("./store");
  plan = await import("./rollback-plan");
  const { clusters } = await import("@/db/schema");
  const { configurationTargets } = await import("@/db/schema-configurations");
  const now = new Date();
  for (const [name, labels] of [["prod-1", { env: "prod" }], ["prod-2", { env: "prod" }], ["dev-1", { env: "dev" }]] as const) {
    const common = { displayName: name, server: "https://127.0.0.1:1", authMethod: "token" as const, credentialsFingerprint: "x", credentialsRotatedAt: now, updatedAt: now, createdBy: "test" };
    temp.db.insert(clusters).values({ id: `id-${name}`, name, labels, credentials: "unused", ...common }).run();
  }
  const spec = (env: string) => ({
    name: "baseline",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "infra", path: "infrastructure" }],
    targets: { selector: { matchLabels: { env } } },
  });
  const created = store.createConfiguration(spec("prod"), { author: "test" });
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  configurationId = created.configuration.id;
  // v2 moved the configuration to dev, and was pushed there.
  const updated = store.updateConfiguration(configurationId, spec("dev"), { author: "test" });
  if (updated.status !== "ok") throw new Error(JSON.stringify(updated));
  temp.db.insert(configurationTargets).values({ configurationId, clusterId: "id-dev-1", reason: "selector", resolvedAt: now }).run();
}, 60_000);
afterAll(() => temp?.cleanup());

describe("rollback plan", () => {
  it("names where the rolled-back version goes and where it is removed, before anything is pushed", () => {
    const p = plan.rollbackPlan(configurationId, 1);
    expect(p).toMatchObject({ from: 2, to: 1, newVersion: 3, removedFrom: ["dev-1"] });
    expect(p?.targets.map((t) => t.clusterName)).toEqual(["prod-1", "prod-2"]);
    expect(plan.rollbackPlan(configurationId, 9)).toBeUndefined();
  });

  it("refuses a confirmation for a different number of clusters than the plan has now", () => {
    const p = plan.rollbackPlan(configurationId, 1)!;
    expect(plan.rollbackConfirmationProblem(p, 2)).toBeNull();
    expect(plan.rollbackConfirmationProblem(p, 1)).toMatch(/now push to 2 clusters/);
  });
});
