import { eq } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";
import type { ComplianceState } from "@/db/schema-status";
import type { MatrixFilter } from "./filters";

// The scope rules and the queries over them, against a real SQLite file with rows written
// directly (no clusters, no collector): who is in scope, "not applied", summary, matrix, trend.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let compliance: typeof import("./assignments");
let matrix: typeof import("./matrix");
let summary: typeof import("./summary");
let trend: typeof import("./trend");
let filters: typeof import("./filters");
let tables: typeof import("@/db/schema") & typeof import("@/db/schema-configurations") & typeof import("@/db/schema-status");
const ids: Record<string, string> = {};
let baseline = "";
let monitoring = "";
const NOW = Date.UTC(2030, 0, 31, 12);
const DAY = 86_400_000;

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  [compliance, matrix, summary, trend, filters] = await Promise.all([import("./assignments"), import("./matrix"), import("./summary"), import("./trend"), import("./filters")]);
  tables = { ...(await import("@/db/schema")), ...(await import("@/db/schema-configurations")), ...(await import("@/db/schema-status")) };
  const now = new Date(NOW);
  const fleet: [string, Record<string, string>][] = [
    ["prod-1", { env: "prod", region: "eu" }],
    ["prod-2", { env: "prod", region: "us" }],
    ["prod-3", { env: "prod", region: "eu" }],
    ["dev-1", { env: "dev", region: "eu" }],
    ["lab-1", {}],
  ];
  for (const [name, labels] of fleet) {
    ids[name] = `id-${name}`;
    const common = { displayName: name, server: "https://127.0.0.1:1", authMethod: "token" as const, credentialsFingerprint: "x", credentialsRotatedAt: now, updatedAt: now, createdBy: "test" };
    temp.db.insert(tables.clusters).values({ id: ids[name]!, name, labels, credentials: "unused", ...common }).run();
  }
  const store = await import("@/lib/configurations/store");
  const create = (name: string, pushed: boolean) => {
    const result = store.createConfiguration(
      { name, scope: "cluster", source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } }, kustomizations: [{ name: "infra", path: "infrastructure" }], targets: { selector: { matchLabels: { env: "prod" } } } },
      { author: "test" },
    );
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    if (pushed) temp.db.update(tables.configurations).set({ pushedVersion: 1 }).run();
    return result.configuration.id;
  };
  baseline = create("baseline", true);
  monitoring = create("monitoring", false);
  // baseline was pushed to prod-1..3: prod-1 Compliant, prod-2 has no status row yet, prod-3's push failed.
  for (const name of ["prod-1", "prod-2", "prod-3"]) {
    temp.db.insert(tables.configurationTargets).values({ configurationId: baseline, clusterId: ids[name]!, reason: "selector", resolvedAt: now }).run();
  }
  status("prod-1", baseline, "Compliant", "Kustomization/baseline-infra: ReconciliationSucceeded", { appliedVersion: 1, stateChangedAt: new Date(NOW - 3 * DAY) });
  status("prod-3", baseline, "Non-Compliant", "GitRepository/baseline: PushFailed", { appliedVersion: null, message: "connection refused" });
});
afterAll(() => temp?.cleanup());

function status(cluster: string, configurationId: string, state: ComplianceState, reason: string, extra: Record<string, unknown> = {}) {
  const at = new Date(NOW - DAY);
  temp.db
    .insert(tables.configurationStatus)
    .values({ configurationId, clusterId: ids[cluster]!, state, reason, stateChangedAt: at, observedAt: at, ...extra })
    .onConflictDoUpdate({ target: [tables.configurationStatus.configurationId, tables.configurationStatus.clusterId], set: { state, reason, ...extra } })
    .run();
}

const filter = (overrides: Record<string, unknown> = {}): MatrixFilter => filters.matrixFilterSchema.parse(overrides);

function cells(f: MatrixFilter = filter()) {
  const m = matrix.loadMatrix(f, compliance.listAssignments());
  // Rows in matrix order, cells in column order, as the page shows them.
  return Object.fromEntries(m.rows.flatMap((r) => m.columns.flatMap((col) => (r.cells.has(col.id) ? [[`${r.name}/${col.name}`, `${r.cells.get(col.id)!.state}: ${r.cells.get(col.id)!.reason}`]] : []))));
}

describe("scope and the not-applied rule", () => {
  it("a pushed configuration is a deploy assignment over its own targets; a draft is none", () => {
    expect(compliance.listAssignments().map((a) => [a.name, a.effect])).toEqual([["baseline", "deploy"]]);
    expect(cells()).toEqual({
      "prod-1/baseline": "Compliant: Kustomization/baseline-infra: ReconciliationSucceeded",
      "prod-2/baseline": "Non-Compliant: not applied",
      "prod-3/baseline": "Non-Compliant: not applied",
    });
  });

  it("an audit assignment covers clusters the configuration never targeted: not applied", () => {
    const created = compliance.createAssignment({ name: "baseline-everywhere", configurationId: baseline, selector: "env" }, "op@example.com");
    expect(created.status).toBe("ok");
    expect(cells()["dev-1/baseline"]).toBe("Non-Compliant: not applied");
    expect(cells()["lab-1/baseline"]).toBeUndefined();
    // A configuration never pushed is still checked by an audit assignment.
    expect(compliance.createAssignment({ name: "monitoring-eu", configurationId: monitoring, selector: "region in (eu)" }, "op@example.com").status).toBe("ok");
    expect(cells()["dev-1/monitoring"]).toBe("Non-Compliant: not applied");
  });

  it("reads a failed push the way the collector words it", async () => {
    const { deriveConfigurationState } = await import("@/lib/reconcilers/flux/derive");
    const verdict = deriveConfigurationState({
      expected: [{ kind: "GitRepository", namespace: "flux-system", name: "baseline" }],
      expectedVersion: 1,
      live: [],
      push: { version: 1, action: "apply", state: "failed", reason: "connection refused" },
      now: NOW,
    });
    expect(verdict).toMatchObject({ state: "Non-Compliant", reason: "GitRepository/baseline: PushFailed", appliedVersion: null });
  });

  it("a failed push that left an older version running keeps the collector's reason", () => {
    status("prod-3", baseline, "Non-Compliant", "GitRepository/baseline: PushFailed", { appliedVersion: 1 });
    expect(cells()["prod-3/baseline"]).toBe("Non-Compliant: GitRepository/baseline: PushFailed");
    status("prod-3", baseline, "Non-Compliant", "GitRepository/baseline: PushFailed", { appliedVersion: null });
  });

  it("relabelling a cluster moves it out of and into scope", () => {
    temp.db.update(tables.clusters).set({ labels: {} }).where(eqId("dev-1")).run();
    expect(cells()["dev-1/baseline"]).toBeUndefined();
    temp.db.update(tables.clusters).set({ labels: { env: "dev", region: "eu" } }).where(eqId("dev-1")).run();
    expect(cells()["dev-1/baseline"]).toBe("Non-Compliant: not applied");
  });
});

describe("summary", () => {
  it("counts every (configuration, cluster) once, and per assignment, label value and cluster", () => {
    const s = summary.loadSummary(compliance.listAssignments());
    // baseline on prod-1..3 and dev-1, monitoring on prod-1, prod-3 and dev-1 (region eu).
    expect(s.fleet).toMatchObject({ total: 7, Compliant: 1, "Non-Compliant": 6 });
    expect(Object.fromEntries(s.byConfiguration.map((c) => [c.name, [c.counts.Compliant, c.counts.total]]))).toEqual({ baseline: [1, 4], monitoring: [0, 3] });
    expect(Object.fromEntries(s.byAssignment.map((a) => [a.assignment.name, [a.counts.Compliant, a.counts.total]]))).toEqual({ baseline: [1, 3], "baseline-everywhere": [1, 4], "monitoring-eu": [0, 3] });
    expect(s.byLabel.find((l) => l.key === "env")?.groups.map((g) => [g.value, g.counts.total])).toEqual([["dev", 2], ["prod", 5]]);
    // prod-1 has a Non-Compliant monitoring cell, so no cluster is entirely compliant.
    expect(s.clusters).toMatchObject({ total: 4, "Non-Compliant": 4 });
  });

  it("lists Non-Compliant cells, never-applied ones first, with since when", () => {
    status("prod-1", monitoring, "Non-Compliant", "Kustomization/monitoring-infra: BuildFailed", { appliedVersion: 1, stateChangedAt: new Date(NOW - 2 * DAY) });
    temp.db.insert(tables.configurationTargets).values({ configurationId: monitoring, clusterId: ids["prod-1"]!, reason: "explicit", resolvedAt: new Date(NOW) }).run();
    const s = summary.loadSummary(compliance.listAssignments());
    expect(s.fleet["Non-Compliant"]).toBe(6);
    expect(s.nonCompliant).toHaveLength(6);
    expect(s.nonCompliant.at(-2)).toMatchObject({ clusterName: "prod-1", configurationName: "monitoring", reason: "Kustomization/monitoring-infra: BuildFailed", since: new Date(NOW - 2 * DAY) });
    expect(s.nonCompliant[0]?.since).toBeNull();
  });
});

describe("one definition of the fleet's pairs", () => {
  it("the dashboard's totals count the same pairs as /compliance, audit-only scope included", async () => {
    const { fleetTotals } = await import("@/lib/queries/dashboard");
    const s = summary.loadSummary(compliance.listAssignments());
    const totals = fleetTotals();
    expect(totals.total).toBe(s.fleet.total);
    for (const state of ["Compliant", "Non-Compliant", "Pending", "Unknown", "Suspended"] as const) expect(totals.byState[state]).toBe(s.fleet[state]);
  });
});

describe("export", () => {
  it("fills assignment and effect in the configurations view, audit-only scope included", async () => {
    const { exportStream } = await import("./export");
    const text = await new Response(exportStream(filter(), compliance.listAssignments(), "json")).text();
    const rows = JSON.parse(text) as { cluster: string; configuration: string; assignment: string | null; effect: string | null }[];
    const find = (cluster: string, configuration: string) => rows.find((r) => r.cluster === cluster && r.configuration === configuration);
    expect(find("dev-1", "baseline")).toMatchObject({ assignment: "baseline-everywhere", effect: "audit" });
    expect(find("prod-1", "baseline")).toMatchObject({ assignment: "baseline; baseline-everywhere", effect: "deploy; audit" });
    expect(rows.every((r) => r.assignment && r.effect)).toBe(true);
  });
});

describe("matrix", () => {
  it("filters by state and label, keeping only the matching cells", () => {
    expect(cells(filter({ state: "Compliant" }))).toEqual({ "prod-1/baseline": "Compliant: Kustomization/baseline-infra: ReconciliationSucceeded" });
    expect(Object.keys(cells(filter({ label: "region=us" })))).toEqual(["prod-2/baseline"]);
    expect(Object.keys(cells(filter({ configuration: monitoring })))).toEqual(["dev-1/monitoring", "prod-1/monitoring", "prod-3/monitoring"]);
  });

  it("shows assignments as columns, groups rows by a label and sorts the worst first", () => {
    const byAssignment = matrix.loadMatrix(filter({ view: "assignments", label: "env=prod" }), compliance.listAssignments());
    expect(byAssignment.columns.map((c) => [c.name, c.effect, c.cellCount])).toEqual([["baseline", "deploy", 3], ["baseline-everywhere", "audit", 3], ["monitoring-eu", "audit", 2]]);
    const grouped = matrix.loadMatrix(filter({ group: "region", sort: "failing", dir: "asc" }), compliance.listAssignments());
    expect(grouped.rows.map((r) => [r.group, r.name, r.failing])).toEqual([["eu", "dev-1", 2], ["eu", "prod-3", 2], ["eu", "prod-1", 1], ["us", "prod-2", 1]]);
    expect(grouped.total).toBe(4);
  });

  it("pages its columns four at a time, in name order, past the end showing the last page", () => {
    const extra = ["page-a", "page-b", "page-c", "page-d"].map((name) => {
      const created = compliance.createAssignment({ name, configurationId: monitoring, selector: "region in (eu)" }, "op@example.com");
      if (created.status !== "ok") throw new Error(JSON.stringify(created));
      return created.assignment.id;
    });
    try {
      const page = (cols: number) => matrix.loadMatrix(filter({ view: "assignments", cols }), compliance.listAssignments());
      const first = page(1);
      expect(first.columns.map((c) => c.name)).toEqual(["baseline", "baseline-everywhere", "monitoring-eu", "page-a"]);
      expect([first.columnOffset, first.columnTotal]).toEqual([0, 7]);
      const second = page(2);
      expect(second.columns.map((c) => c.name)).toEqual(["page-b", "page-c", "page-d"]);
      expect(second.columnOffset).toBe(4);
      // Rows and their worst state are over every column, whichever page of columns is shown.
      expect(second.rows.map((r) => [r.name, r.worst])).toEqual(first.rows.map((r) => [r.name, r.worst]));
      expect(page(9).columns.map((c) => c.name)).toEqual(["page-b", "page-c", "page-d"]);
      expect(filters.matrixParams(filter({ cols: 2 })).cols).toBe(2);
      expect(filters.matrixParams(filter({ cols: "x" })).cols).toBeUndefined();
    } finally {
      for (const id of extra) compliance.deleteAssignment(id);
    }
  });

  it("filters by drift", () => {
    temp.db.update(tables.configurationStatus).set({ hasRevisionDrift: true, behindBy: 3 }).where(eqId("prod-1", tables.configurationStatus.clusterId)).run();
    expect(Object.keys(cells(filter({ drift: "revision" })))).toEqual(["prod-1/baseline", "prod-1/monitoring"]);
    expect(cells(filter({ drift: "config" }))).toEqual({});
  });
});

describe("trend", () => {
  it("a fresh install has no history: the days before any data are gaps, not zeros", () => {
    const t = trend.loadTrend(compliance.listAssignments(), NOW, 7);
    expect(t.fleet.points.slice(0, 6).map((p) => p.percent)).toEqual([null, null, null, null, null, null]);
    expect(t.fleet.points.at(-1)?.percent).not.toBeNull();
  });

  it("walks today's count back through the history of the window", () => {
    const history = (cluster: string, daysAgo: number, state: ComplianceState, previousState: ComplianceState | null) =>
      temp.db.insert(tables.configurationStatusHistory).values({ configurationId: baseline, clusterId: ids[cluster]!, at: new Date(NOW - daysAgo * DAY), state, previousState }).run();
    history("prod-1", 5, "Pending", null);
    history("prod-1", 4, "Compliant", "Pending");
    history("prod-1", 3, "Non-Compliant", "Compliant");
    history("prod-1", 2, "Compliant", "Non-Compliant");
    const t = trend.loadTrend(compliance.listAssignments(), NOW, 7);
    // baseline (deploy) covers prod-1..3: 1 of 3 compliant on the days prod-1 was.
    expect(t.assignments.find((s) => s.name === "baseline (targets)")?.points.map((p) => p.percent)).toEqual([null, 0, 33.3, 0, 33.3, 33.3, 33.3]);
    expect(t.fleet.points.map((p) => p.percent)).toEqual([null, 0, 14.2, 0, 14.2, 14.2, 14.2]);
    expect(t.fleet.points.at(-1)?.day).toBe("2030-01-31");
  });
});

const eqId = (name: string, column: SQLiteColumn = tables.clusters.id) => eq(column, ids[name]!);
