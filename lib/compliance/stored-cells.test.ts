import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPLIANCE_STATES } from "@/db/enums";
import { seedStatus, type Seeded } from "@/test-support/status-seed";
import { useTempDatabase } from "@/test-support/temp-db";

// compliance_cells against the cells worked out from scratch (cellsCte without the table), on a
// real SQLite file: after the rebuild, after every kind of write its triggers follow pair by
// pair, and after the scope changes that must make the next read rebuild it.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let seeded: Seeded;
let stored: typeof import("./stored-cells");
let cellsSql: typeof import("./cells-sql");
let assignments: typeof import("./assignments");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  seeded = seedStatus(temp.db.$client, { clusters: 40, configurations: 3, historyPerPair: 1, rollouts: 1 });
  [stored, cellsSql, assignments] = await Promise.all([import("./stored-cells"), import("./cells-sql"), import("./assignments")]);
});

afterAll(() => temp.cleanup());

const run = (statement: string, ...params: unknown[]) => temp.db.$client.prepare(statement).run(...params);

type Row = Record<string, unknown>;
const order = sql`order by configuration_id, cluster_id`;

function storedRows(): Row[] {
  return temp.db.all<Row>(sql`select ${cellsSql.PAIR_CELL_COLUMNS} from compliance_cells ${order}`);
}

/** The same columns worked out from selectors, targets and status rows, as before the table existed. */
function computedRows(): Row[] {
  return temp.db.all<Row>(sql`${cellsSql.cellsCte({ assignments: assignments.listAssignments() })}
    select configuration_id, cluster_id, assignments, coalesce(not_applied, 0) as not_applied, state, rank, since, has_config_drift, has_revision_drift, has_resource_drift from pair_cell ${order}`);
}

const staleFlag = () => temp.db.get<{ stale: number }>(sql`select stale from compliance_cells_state where id = 1`)?.stale;

describe("compliance_cells", () => {
  it("is built on first use with every cell, and not again while it is current", () => {
    expect(staleFlag()).toBe(1);
    expect(stored.ensureStoredCells(assignments.listAssignments())).toBe(true);
    expect(staleFlag()).toBe(0);
    const rows = storedRows();
    expect(rows).toHaveLength(120);
    expect(rows).toEqual(computedRows());
    run("update compliance_cells set since = -1 where (configuration_id, cluster_id) = (select configuration_id, cluster_id from compliance_cells order by configuration_id, cluster_id limit 1)");
    stored.ensureStoredCells(assignments.listAssignments());
    expect(storedRows().filter((r) => r.since === -1)).toHaveLength(1);
    run("update compliance_cells set since = (select state_changed_at from configuration_status s where s.configuration_id = compliance_cells.configuration_id and s.cluster_id = compliance_cells.cluster_id) where since = -1");
  });

  it("follows status rows and targets pair by pair, without a rebuild", () => {
    const [c0, c1, c2, c3] = seeded.clusterIds;
    const [k0, k1] = seeded.configurationIds;
    // Every state (and one outside the vocabulary) takes its rank.
    for (const state of [...COMPLIANCE_STATES, "Bogus"]) {
      run("update configuration_status set state = ?, state_changed_at = state_changed_at + 1 where configuration_id = ? and cluster_id = ?", state, k0, c0);
      expect(storedRows()).toEqual(computedRows());
    }
    run("update configuration_status set has_config_drift = 1, has_resource_drift = 1 where configuration_id = ? and cluster_id = ?", k0, c1);
    // A failed push that left nothing behind is "not applied"; with an applied version it is not.
    run("update configuration_status set applied_version = null, reason = 'GitRepository/x: PushFailed' where configuration_id = ? and cluster_id = ?", k1, c1);
    run("update configuration_status set reason = 'GitRepository/x: PushFailed' where configuration_id = ? and cluster_id = ?", k1, c2);
    run("delete from configuration_status where configuration_id = ? and cluster_id = ?", k1, c3);
    run("delete from configuration_targets where configuration_id = ? and cluster_id = ?", k0, c2);
    expect(storedRows()).toEqual(computedRows());
    const cell = (configurationId: string, clusterId: string) => storedRows().find((r) => r.configuration_id === configurationId && r.cluster_id === clusterId);
    expect(cell(k1!, c1!)).toMatchObject({ not_applied: 1, state: "Non-Compliant", rank: 0 });
    expect(cell(k1!, c3!)).toMatchObject({ not_applied: 1, state: "Non-Compliant", since: null, has_config_drift: 0 });
    expect(cell(k0!, c1!)).toMatchObject({ has_config_drift: 1, has_resource_drift: 1 });
    // Back again: the target returns, the status row is collected anew.
    run("insert into configuration_targets (configuration_id, cluster_id, reason, resolved_at) values (?, ?, 'selector', 0)", k0, c2);
    run("insert into configuration_status (configuration_id, cluster_id, state, state_changed_at, observed_at, applied_version) values (?, ?, 'Pending', 5, 5, 1)", k1, c3);
    expect(cell(k1!, c3!)).toMatchObject({ not_applied: 0, state: "Pending", since: 5 });
    expect(storedRows()).toEqual(computedRows());
    expect(staleFlag()).toBe(0);
  });

  it("is rebuilt after a relabelled, added or removed cluster and after a new assignment", () => {
    const all = () => assignments.listAssignments();
    // The seed's clusters carry only the env label.
    run("update clusters set labels = ? where id = ?", JSON.stringify({ env: "lab" }), seeded.clusterIds[5]);
    expect(staleFlag()).toBe(1);
    stored.ensureStoredCells(all());
    expect(staleFlag()).toBe(0);
    expect(storedRows()).toEqual(computedRows());

    const created = assignments.createAssignment({ name: "audit-prod", configurationId: seeded.configurationIds[0]!, selector: "env=prod" }, "test");
    expect(created.status).toBe("ok");
    expect(staleFlag()).toBe(0);
    stored.ensureStoredCells(all());
    expect(storedRows()).toEqual(computedRows());
    expect(storedRows().some((r) => String(r.assignments).includes(created.status === "ok" ? created.assignment.id : "?"))).toBe(true);

    run("delete from clusters where id = ?", seeded.clusterIds[7]);
    expect(staleFlag()).toBe(1);
    stored.ensureStoredCells(all());
    expect(storedRows()).toEqual(computedRows());
    expect(storedRows().some((r) => r.cluster_id === seeded.clusterIds[7])).toBe(false);
  });

  it("reads a configuration's or one assignment's part of the table as the cells worked out for that part", () => {
    const all = assignments.listAssignments();
    stored.ensureStoredCells(all);
    const audit = all.find((a) => a.effect === "audit")!;
    for (const part of [all.filter((a) => a.configurationId === audit.configurationId), [audit], all.filter((a) => a.effect === "deploy"), []]) {
      const read = (stored_: typeof all | undefined) =>
        temp.db.all<Row>(sql`${cellsSql.cellsCte({ assignments: part, stored: stored_ })} select ${cellsSql.PAIR_CELL_COLUMNS} from pair_cell ${order}`).map((r) => ({ ...r, not_applied: r.not_applied ?? 0 }));
      expect(read(all)).toEqual(read(undefined));
    }
  });
});
