import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { seedStatus, type Seeded } from "@/test-support/status-seed";
import { useTempDatabase } from "@/test-support/temp-db";

// The dashboard and detail queries against a seeded SQLite file, checked against the rows
// themselves; and the history rule of the collector's writes.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let seeded: Seeded;
let rows: ConfigurationStatus[];
let queries: typeof import("./dashboard");
let detail: typeof import("./configuration-status");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  temp = await useTempDatabase();
  seeded = seedStatus(temp.db.$client, { clusters: 40, configurations: 3, historyPerPair: 3, rollouts: 5 });
  const schema = await import("@/db/schema-status");
  rows = temp.db.select().from(schema.configurationStatus).all();
  [queries, detail] = await Promise.all([import("./dashboard"), import("./configuration-status")]);
});

afterAll(() => temp.cleanup());

const count = (predicate: (row: ConfigurationStatus) => boolean) => rows.filter(predicate).length;

describe("dashboard", () => {
  it("totals by state and drift kind match the rows", () => {
    const totals = queries.fleetTotals();
    expect(totals.total).toBe(120);
    for (const state of ["Compliant", "Non-Compliant", "Pending", "Unknown", "Suspended"] as const) expect(totals.byState[state]).toBe(count((r) => r.state === state));
    expect(totals.drift).toEqual({ config: count((r) => r.hasConfigDrift), revision: count((r) => r.hasRevisionDrift), resource: count((r) => r.hasResourceDrift) });
    expect(queries.fleetTotals({ drift: "revision" }).total).toBe(count((r) => r.hasRevisionDrift));
  });

  it("clusters needing attention are those with non-compliant, unknown or stale rows, worst first", () => {
    const attention = queries.clustersNeedingAttention({ limit: 5 });
    const expected = new Set(rows.filter((r) => r.state === "Non-Compliant" || r.state === "Unknown").map((r) => r.clusterId));
    expect(attention.total).toBeGreaterThanOrEqual(expected.size);
    expect(attention.rows.length).toBe(Math.min(5, attention.total));
    const first = attention.rows[0]!;
    expect(first.nonCompliant).toBe(Math.max(...attention.rows.map((r) => r.nonCompliant)));
    expect(first.nonCompliant).toBe(count((r) => r.clusterId === first.clusterId && r.state === "Non-Compliant"));
    const drifted = queries.clustersNeedingAttention({ drift: "config", limit: 100 });
    for (const row of drifted.rows) expect(rows.some((r) => r.clusterId === row.clusterId && r.hasConfigDrift)).toBe(true);
  });

  it("ranks configurations by non-compliant clusters; merges state changes and pushes in the timeline", () => {
    const top = queries.mostNonCompliantConfigurations();
    expect(top.map((t) => t.nonCompliant)).toEqual([...top.map((t) => t.nonCompliant)].sort((a, b) => b - a));
    for (const t of top) expect(t).toMatchObject({ nonCompliant: count((r) => r.configurationId === t.configurationId && r.state === "Non-Compliant"), targets: 40 });
    const timeline = queries.recentTimeline(10);
    expect(timeline).toHaveLength(10);
    expect(timeline.map((e) => e.at.getTime())).toEqual([...timeline.map((e) => e.at.getTime())].sort((a, b) => b - a));
    expect(timeline.some((e) => e.type === "push")).toBe(true);
    expect(queries.lastRefreshAt()?.getTime()).toBe(Math.max(...rows.map((r) => r.observedAt.getTime())));
  });
});

describe("configuration detail", () => {
  it("pages rows worst first, filters by state, drift and name, and counts all targets", () => {
    const id = seeded.configurationIds[0]!;
    const page = detail.configurationStatusRows(id, { limit: 10 });
    expect(page.total).toBe(40);
    expect(page.rows).toHaveLength(10);
    const order = ["Non-Compliant", "Pending", "Unknown", "Suspended", "Compliant"];
    expect(page.rows.map((r) => order.indexOf(r.state))).toEqual([...page.rows.map((r) => order.indexOf(r.state))].sort((a, b) => a - b));
    expect(detail.configurationStatusRows(id, { state: "Compliant", limit: 500 }).rows.every((r) => r.state === "Compliant")).toBe(true);
    expect(detail.configurationStatusRows(id, { drift: "any" }).total).toBe(count((r) => r.configurationId === id && (r.hasConfigDrift || r.hasRevisionDrift || r.hasResourceDrift)));
    const found = detail.configurationStatusRows(id, { search: "cluster-0001" });
    expect(found.total).toBe(10);
    expect(found.rows.map((r) => r.clusterName).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `cluster-0001${i}`));
    expect(detail.configurationStatusRows(id, { search: "%" }).total).toBe(0);
    expect(detail.objectStatuses(seeded.clusterIds[0]!, id)).toHaveLength(3);
    expect(detail.statusHistory(id, { clusterId: seeded.clusterIds[0]! })).toHaveLength(3);
  });

  it("walks every target a page at a time: pages are disjoint, in order, and together are all targets", () => {
    const id = seeded.configurationIds[1]!;
    const all = detail.configurationStatusRows(id, { limit: 500 }).rows.map((r) => r.clusterId);
    const paged: string[] = [];
    for (let p = 1; p <= 4; p++) {
      const page = detail.configurationStatusRows(id, { limit: 15, offset: (p - 1) * 15 });
      expect(page.total).toBe(40);
      paged.push(...page.rows.map((r) => r.clusterId));
    }
    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(40);
    // Filtered pages count the filtered rows, while the counts by state still cover every target.
    const compliant = detail.configurationStatusRows(id, { state: "Compliant", limit: 5, offset: 5 });
    expect(compliant.total).toBe(count((r) => r.configurationId === id && r.state === "Compliant"));
    expect(Object.values(compliant.byState).reduce((a, b) => a + b, 0)).toBe(40);
    expect(compliant.rows.length).toBe(Math.min(5, Math.max(0, compliant.total - 5)));
  });

  it("reads ?page= as a positive page number, else the first page", () => {
    expect([undefined, "", "0", "-3", "1.5", "abc", "2"].map((raw) => detail.statusPage(raw))).toEqual([1, 1, 1, 1, 1, 1, 2]);
  });
});

describe("history on change", () => {
  it("appends a history row only when the state or the reason changes", async () => {
    const { persistCluster, previousRows } = await import("@/lib/status/persist");
    const schema = await import("@/db/schema-status");
    const clusterId = seeded.clusterIds[1]!;
    const configurationId = seeded.configurationIds[1]!;
    const historyCount = () => temp.db.select().from(schema.configurationStatusHistory).all().filter((h) => h.clusterId === clusterId && h.configurationId === configurationId).length;
    const base = previousRows(clusterId).get(configurationId)!;
    const write = async (state: ConfigurationStatus["state"], reason: string, message: string) => {
      const previous = previousRows(clusterId);
      const rowsForCluster = [...previous.values()].map((row) => (row.configurationId === configurationId ? { ...row, state, reason, message, observedAt: new Date() } : row));
      await persistCluster(clusterId, rowsForCluster, previous, undefined);
    };
    const before = historyCount();
    await write(base.state, base.reason ?? "", "a new message");
    expect(historyCount()).toBe(before);
    await write("Non-Compliant", "Kustomization/x: BuildFailed", "m");
    await write("Non-Compliant", "Kustomization/x: BuildFailed", "another message");
    expect(historyCount()).toBe(before + 1);
    await write("Non-Compliant", "Kustomization/x: HealthCheckFailed", "m");
    expect(historyCount()).toBe(before + 2);
    const last = detail.statusHistory(configurationId, { clusterId, limit: 1 })[0]!;
    expect(last).toMatchObject({ state: "Non-Compliant", previousState: "Non-Compliant", reason: "Kustomization/x: HealthCheckFailed" });
  });
});

describe("reconcilers", () => {
  it("rows carry the reconciler and Argo CD's words; the attention list names each cluster's reconciler, the override first", async () => {
    const [schema, { clusters }, { eq }] = await Promise.all([import("@/db/schema-status"), import("@/db/schema"), import("drizzle-orm")]);
    const clusterId = queries.clustersNeedingAttention({ limit: 1 }).rows[0]!.clusterId;
    const configurationId = seeded.configurationIds[0]!;
    temp.db.update(schema.configurationStatus).set({ reconciler: "argocd", argoSync: "OutOfSync", argoHealth: "Healthy" }).where(eq(schema.configurationStatus.clusterId, clusterId)).run();
    const row = detail.configurationStatusRows(configurationId, { limit: 500 }).rows.find((r) => r.clusterId === clusterId);
    expect(row).toMatchObject({ reconciler: "argocd", argoSync: "OutOfSync", argoHealth: "Healthy", argoOperationPhase: null });
    const attention = () => queries.clustersNeedingAttention({ limit: 100 }).rows.find((r) => r.clusterId === clusterId)?.reconciler;
    expect(attention()).toBe("argocd");
    temp.db.update(clusters).set({ reconcilerOverride: "flux" }).where(eq(clusters.id, clusterId)).run();
    expect(attention()).toBe("flux");
  });
});
