import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// The audit page's names: ids in targets and details resolved against the real tables.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let audit: typeof import("./audit");
const CLUSTER = "0b4c2a1e-9f3d-4c55-8a21-7f0e6d5c4b3a";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  temp = await useTempDatabase();
  audit = await import("./audit");
  const { clusters } = await import("@/db/schema");
  const now = new Date();
  temp.db.insert(clusters).values({ id: CLUSTER, name: "prod-eu-1", displayName: "prod-eu-1", labels: {}, server: "https://127.0.0.1:1", authMethod: "token", credentials: "x", credentialsFingerprint: "x", credentialsRotatedAt: now, updatedAt: now, createdBy: "test" }).run();
}, 60_000);
afterAll(() => temp?.cleanup());

describe("audit names", () => {
  it("resolves the cluster ids an entry mentions to names", () => {
    const names = audit.auditNames([{ targetId: "5d2e7c8a-1b3f-4e6d-9a0c-2f4e6a8c0b1d", details: JSON.stringify({ clusterId: CLUSTER }) }]);
    expect(names.clusters.get(CLUSTER)).toBe("prod-eu-1");
    expect(names.configurations.size).toBe(0);
    expect(audit.auditNames([{ targetId: null, details: "{}" }]).clusters.size).toBe(0);
  });
});
