import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigDriftEntry } from "@/db/schema-status";
import { useTempDatabase } from "@/test-support/temp-db";

// The two events not tied to a compliance state: drift entered, seen through the real persist
// path, and a waiver nearing its end, seen by the waiver timer's pass. Each is written once.

process.env.FLEETLINE_BACKGROUND = "off";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;

beforeAll(async () => {
  temp = await useTempDatabase();
});
afterAll(() => temp.cleanup());

type OutboxRow = { type: string; dedupe_key: string; cluster_id: string | null; configuration_id: string | null; detail: string | null; link: string };
const outbox = (type: string) => temp.db.$client.prepare("select type, dedupe_key, cluster_id, configuration_id, detail, link from notification_events where type = ? order by id").all(type) as OutboxRow[];

describe("drift.detected", () => {
  it("is written once when a configuration starts drifting, not while it stays, not when it clears", async () => {
    const { seedStatus } = await import("@/test-support/status-seed");
    const { persistCluster, previousRows } = await import("@/lib/status/persist");
    const seeded = seedStatus(temp.db.$client, { clusters: 2, configurations: 1, historyPerPair: 0, rollouts: 0 });
    const configurationId = seeded.configurationIds[0]!;
    const [drifting, steady] = seeded.clusterIds as [string, string];
    temp.db.$client.prepare("update configuration_status set state = 'Compliant', reason = null, has_config_drift = 0, config_drift = '[]'").run();
    const entry: ConfigDriftEntry = { object: "ConfigMap web/settings", change: "changed", paths: ["data.mode"] };
    const sweep = async (clusterId: string, hasConfigDrift: boolean) => {
      const previous = previousRows(clusterId);
      const row = { ...previous.get(configurationId)!, hasConfigDrift, configDrift: hasConfigDrift ? [entry] : [], observedAt: new Date() };
      await persistCluster(clusterId, [row], previous, undefined);
    };
    await sweep(drifting, true);
    await sweep(steady, false);
    // The second identical sweep: drift that stays is no new event.
    await sweep(drifting, true);
    await sweep(steady, false);
    expect(outbox("drift.detected")).toEqual([
      {
        type: "drift.detected",
        dedupe_key: `drift/${configurationId}/${drifting}`,
        cluster_id: drifting,
        configuration_id: configurationId,
        detail: "1 object differs from the spec",
        link: `/configurations/${configurationId}?tab=drift&cluster=${drifting}`,
      },
    ]);
    // Clearing says nothing; drifting again is a new change and a new event.
    await sweep(drifting, false);
    expect(outbox("drift.detected")).toHaveLength(1);
    await sweep(drifting, true);
    expect(outbox("drift.detected")).toHaveLength(2);
    // No compliance event came of it: the state never changed.
    expect(temp.db.$client.prepare("select count(*) as n from notification_events where type like 'configuration.%'").get()).toEqual({ n: 0 });
  });
});

describe("waiver.expiring", () => {
  it("is written once per approved waiver inside the window, across timer passes; none outside it or for a pending one", async () => {
    const { policyWaivers } = await import("@/db/schema-policy");
    const { notifyExpiringWaivers } = await import("@/lib/policy/waivers");
    const now = new Date("2026-12-02T12:00:00Z");
    const waiver = (id: string, status: "approved" | "pending", expiresAt: string) => ({
      id,
      engine: "gatekeeper" as const,
      policy: "K8sRequiredLabels/owner",
      selector: { matchLabels: { env: "prod" } },
      reason: "migration in progress",
      status,
      requestedById: "u1",
      requestedBy: "dev@test",
      requestedAt: now,
      expiresAt: new Date(expiresAt),
    });
    temp.db
      .insert(policyWaivers)
      .values([waiver("soon", "approved", "2026-12-05T00:00:00Z"), waiver("later", "approved", "2026-12-20T00:00:00Z"), waiver("pending", "pending", "2026-12-04T00:00:00Z"), waiver("gone", "approved", "2026-12-01T00:00:00Z")])
      .run();
    expect(notifyExpiringWaivers(now, 3)).toBe(1);
    expect(notifyExpiringWaivers(new Date(now.getTime() + 60_000), 3)).toBe(0);
    const rows = outbox("waiver.expiring");
    expect(rows).toEqual([{ type: "waiver.expiring", dedupe_key: "waiver/soon", cluster_id: null, configuration_id: null, detail: "K8sRequiredLabels/owner (gatekeeper) holds through 2026-12-04", link: "/compliance?tab=waivers" }]);
    // Even once the outbox row is gone (done rows are pruned), the mark on the waiver keeps it from repeating.
    temp.db.$client.prepare("delete from notification_events").run();
    expect(notifyExpiringWaivers(new Date(now.getTime() + 120_000), 3)).toBe(0);
    // The one outside the window is announced when it enters it, once.
    expect(notifyExpiringWaivers(new Date("2026-12-18T00:00:00Z"), 3)).toBe(1);
    expect(outbox("waiver.expiring").map((r) => r.dedupe_key)).toEqual(["waiver/later"]);
  });
});
