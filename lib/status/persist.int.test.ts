import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// persistObserved at rest: an observation that finds what is stored moves only the times of
// observation (no upsert per row, no object list replaced); any other change is written in full.

process.env.FLEETLINE_BACKGROUND = "off";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;

beforeAll(async () => {
  temp = await useTempDatabase();
});
afterAll(() => temp.cleanup());

describe("persistObserved", () => {
  it("moves only observedAt and lastSeenAt when nothing else changed, and writes a change in full", async () => {
    const { seedStatus } = await import("@/test-support/status-seed");
    const { persistObserved } = await import("@/lib/status/persist");
    const seeded = seedStatus(temp.db.$client, { clusters: 1, configurations: 2, historyPerPair: 0, rollouts: 0 });
    const clusterId = seeded.clusterIds[0]!;
    const [first, second] = seeded.configurationIds as [string, string];
    const sql = temp.db.$client;
    sql.prepare("update configuration_status set state = 'Compliant', reason = null").run();
    const object = (configurationId: string, observedAt: Date) => ({ clusterId, configurationId, kind: "Kustomization", namespace: "flux-system", name: configurationId, state: "Compliant" as const, ready: "True" as const, reason: "ReconciliationSucceeded", message: "Applied revision: main@sha1:1", revision: "main@sha1:1", isSuspended: false, generation: 1, observedGeneration: 1, version: 1, lastHandledReconcileAt: null, inventory: [{ id: "web_app_apps_Deployment", v: "v1" }], observedAt });
    const observe = (at: number, state: "Compliant" | "Non-Compliant" = "Compliant") =>
      persistObserved(clusterId, (previous) => ({
        rows: [first, second].map((id) => ({ ...previous.get(id)!, state: id === second ? state : "Compliant", reason: id === second && state !== "Compliant" ? "ReconciliationFailed" : null, observedAt: new Date(at), lastSeenAt: new Date(at) })),
        objects: [object(first, new Date(at)), object(second, new Date(at))],
      }));
    // Any write to the status or object tables is counted by SQLite's own change counter.
    const changesOf = async (run: () => Promise<unknown>) => {
      const before = (sql.prepare("select total_changes() as n").get() as { n: number }).n;
      await run();
      return (sql.prepare("select total_changes() as n").get() as { n: number }).n - before;
    };
    const history = () => (sql.prepare("select count(*) as n from configuration_status_history").get() as { n: number }).n;

    await observe(1_000);
    const historyAfterFirst = history();
    // At rest: two rows and two objects get their new times, in two UPDATE statements (4 row changes);
    // the full write deletes and re-inserts the objects and upserts the rows (more changes).
    const atRest = await changesOf(() => observe(2_000));
    expect(atRest).toBe(4);
    expect(sql.prepare("select distinct observed_at as t, last_seen_at as s from configuration_status where cluster_id = ?").all(clusterId)).toEqual([{ t: 2_000, s: 2_000 }]);
    expect(sql.prepare("select distinct observed_at as t from object_status where cluster_id = ?").all(clusterId)).toEqual([{ t: 2_000 }]);
    expect(history()).toBe(historyAfterFirst);

    expect(await observe(2_500)).toBe("touched");
    // A state change is written in full: the row, its history, its compliance event.
    expect(await observe(3_000, "Non-Compliant")).toBe("written");
    expect(sql.prepare("select state, reason, observed_at as t from configuration_status where configuration_id = ? and cluster_id = ?").get(second, clusterId)).toEqual({ state: "Non-Compliant", reason: "ReconciliationFailed", t: 3_000 });
    expect(history()).toBe(historyAfterFirst + 1);
    expect((sql.prepare("select count(*) as n from notification_events where type = 'configuration.non-compliant'").get() as { n: number }).n).toBe(1);

    // An object that changed (here, its message) is a change too, even with every row the same.
    await observe(4_000, "Non-Compliant");
    const changedObject = await changesOf(() =>
      persistObserved(clusterId, (previous) => ({
        rows: [first, second].map((id) => ({ ...previous.get(id)!, observedAt: new Date(5_000), lastSeenAt: new Date(5_000) })),
        objects: [object(first, new Date(5_000)), { ...object(second, new Date(5_000)), message: "Applied revision: main@sha1:2" }],
      })),
    );
    expect(changedObject).toBeGreaterThan(4);
    expect(sql.prepare("select message from object_status where name = ?").get(second)).toEqual({ message: "Applied revision: main@sha1:2" });
  });
});
