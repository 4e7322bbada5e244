import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedStatus, type Seeded } from "@/test-support/status-seed";
import { useTempDatabase } from "@/test-support/temp-db";

// The compliance page's cached reads against a seeded SQLite file: the same figures as the
// uncached queries in lib/compliance, recomputed after every change they depend on (the
// compliance epoch's triggers), and not recomputed when only observation times move.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let seeded: Seeded;
let queries: typeof import("./compliance");
let summary: typeof import("@/lib/compliance/summary");
let matrix: typeof import("@/lib/compliance/matrix");
let filters: typeof import("@/lib/compliance/filters");
let assignments: typeof import("@/lib/compliance/assignments");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  seeded = seedStatus(temp.db.$client, { clusters: 60, configurations: 4, historyPerPair: 1, rollouts: 2 });
  [queries, summary, matrix, filters, assignments] = await Promise.all([
    import("./compliance"),
    import("@/lib/compliance/summary"),
    import("@/lib/compliance/matrix"),
    import("@/lib/compliance/filters"),
    import("@/lib/compliance/assignments"),
  ]);
});

afterAll(() => temp.cleanup());

const run = (statement: string, ...params: unknown[]) => temp.db.$client.prepare(statement).run(...params);

describe("cached compliance reads", () => {
  it("give the uncached figures, and serve them again while nothing changes", () => {
    const all = assignments.listAssignments();
    const first = queries.loadSummary(all);
    expect(first).toEqual(summary.loadSummary(all));
    expect(first.fleet.total).toBe(240);
    expect(queries.loadSummary(all)).toBe(first);
    const f = filters.matrixFilterSchema.parse({ sort: "worst" });
    expect(queries.loadMatrix(f, all)).toEqual(matrix.loadMatrix(f, all));
  });

  it("are not recomputed when only observation times move", () => {
    const all = assignments.listAssignments();
    const before = queries.complianceEpoch();
    const first = queries.loadSummary(all);
    run("update configuration_status set observed_at = observed_at + 1000, last_seen_at = observed_at + 1000");
    expect(queries.complianceEpoch()).toBe(before);
    expect(queries.loadSummary(all)).toBe(first);
  });

  it("follow a state change, a label change, a lost target and a new assignment at once", () => {
    const all = assignments.listAssignments();
    const first = queries.loadSummary(all);
    const [clusterId, otherCluster] = [seeded.clusterIds[0]!, seeded.clusterIds[1]!];
    const configurationId = seeded.configurationIds[0]!;
    const f = filters.matrixFilterSchema.parse({ group: "env", sort: "failing" });
    queries.loadMatrix(f, all);

    run("update configuration_status set state = case state when 'Compliant' then 'Non-Compliant' else 'Compliant' end where configuration_id = ? and cluster_id = ?", configurationId, clusterId);
    const changed = queries.loadSummary(all);
    expect(changed).not.toBe(first);
    expect(changed).toEqual(summary.loadSummary(all));
    expect(changed.byConfiguration).not.toEqual(first.byConfiguration);

    // The seed's clusters carry only the env label.
    run("update clusters set labels = ? where id = ?", JSON.stringify({ env: "moved" }), otherCluster);
    expect(queries.loadMatrix(f, all)).toEqual(matrix.loadMatrix(f, all));
    expect(queries.loadSummary(all)).toEqual(summary.loadSummary(all));
    expect(queries.loadSummary(all).byLabel.find((l) => l.key === "env")?.groups.some((g) => g.value === "moved")).toBe(true);

    run("delete from configuration_targets where configuration_id = ? and cluster_id = ?", configurationId, otherCluster);
    expect(queries.loadSummary(all)).toEqual(summary.loadSummary(all));

    const created = assignments.createAssignment({ name: "audit-everything", configurationId, selector: "env" }, "test");
    expect(created.status).toBe("ok");
    const withAudit = assignments.listAssignments();
    expect(queries.loadSummary(withAudit)).toEqual(summary.loadSummary(withAudit));
    const byAssignment = filters.matrixFilterSchema.parse({ view: "assignments" });
    expect(queries.loadMatrix(byAssignment, withAudit)).toEqual(matrix.loadMatrix(byAssignment, withAudit));
  });
});
