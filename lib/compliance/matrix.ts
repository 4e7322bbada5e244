import "server-only";
import { and, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db";
import { containsInsensitive, jsonArray, jsonEmbedded, jsonText } from "@/db/sql-dialect";
import type { AssignmentEffect } from "@/db/schema-compliance";
import type { ComplianceState } from "@/db/schema-status";
import { labelCondition } from "@/lib/queries/clusters";
import type { Assignment } from "./assignments";
import { assignmentIdsOf, cellDetail, cellsCte } from "./cells-sql";
import { cellScope } from "./stored-cells";
import { MATRIX_COLUMN_PAGE_SIZE, MATRIX_PAGE_SIZE, type MatrixFilter } from "./filters";
import { isComplianceState, stateOfRank } from "./states";

// Clusters x configurations (or x assignments): rows are clusters with at least one cell left
// by the filters; a state or drift filter hides the cells that do not match, so the page and
// the export always show the same cells.

// Wider than this the table stops being readable; the export still carries every column.

export type MatrixCell = {
  columnId: string;
  configurationId: string;
  clusterId: string;
  state: ComplianceState;
  reason: string | null;
  message: string | null;
  since: Date | null;
  observedAt: Date | null;
  behindBy: number | null;
  aheadBy: number | null;
  hasConfigDrift: boolean;
  hasRevisionDrift: boolean;
  hasResourceDrift: boolean;
  /** Every assignment that puts this pair in scope (its configuration's targets, audit-only ones). */
  assignmentIds: string[];
};

export type MatrixRow = { id: string; name: string; labels: Record<string, string>; group: string | null; worst: ComplianceState; failing: number; cells: Map<string, MatrixCell> };
export type MatrixColumn = { id: string; name: string; configurationId: string; configurationName: string; effect: AssignmentEffect | null; cellCount: number };
/** `columns` is one page of `columnTotal` columns, starting at `columnOffset` (see MATRIX_COLUMN_PAGE_SIZE). */
export type Matrix = { rows: MatrixRow[]; total: number; columns: MatrixColumn[]; columnOffset: number; columnTotal: number };

type CellRecord = {
  column_id: string;
  configuration_id: string;
  cluster_id: string;
  state: string;
  reason: string | null;
  message: string | null;
  since: number | null;
  observed_at: number | null;
  behind_by: number | null;
  ahead_by: number | null;
  has_config_drift: number;
  has_revision_drift: number;
  has_resource_drift: number;
  assignments: string;
};

/** The assignments a filter keeps: one configuration's, or a single assignment. */
function assignmentsFor(f: Pick<MatrixFilter, "configuration" | "assignment">, all: readonly Assignment[]): Assignment[] {
  return all.filter((a) => (!f.configuration || a.configurationId === f.configuration) && (!f.assignment || a.id === f.assignment));
}

function clusterWhere(f: Pick<MatrixFilter, "q" | "label">): SQL | undefined {
  return and(f.q ? containsInsensitive(sql`clusters.name`, f.q) : undefined, f.label ? labelCondition(f.label) : undefined);
}

const DRIFT: Record<NonNullable<MatrixFilter["drift"]>, SQL> = {
  any: sql`(cell.has_config_drift = 1 or cell.has_revision_drift = 1 or cell.has_resource_drift = 1)`,
  config: sql`cell.has_config_drift = 1`,
  revision: sql`cell.has_revision_drift = 1`,
  resource: sql`cell.has_resource_drift = 1`,
};

function cellWhere(f: Pick<MatrixFilter, "state" | "drift">): SQL {
  return and(f.state ? sql`cell.state = ${f.state}` : undefined, f.drift ? DRIFT[f.drift] : undefined) ?? sql`true`;
}

function scopeOf(f: MatrixFilter, all: readonly Assignment[], clusterIds?: readonly string[]) {
  return cellsCte(cellScope(all, { assignments: assignmentsFor(f, all), clusterWhere: clusterWhere(f), clusterIds, view: f.view }));
}

const FAILING = sql`sum(case when cell.state = 'Non-Compliant' then 1 else 0 end)`;

// Ascending puts the most urgent first for severity and failure counts, like the name sort puts A first.
const ORDER: Record<MatrixFilter["sort"], SQL> = {
  name: sql`c.name`,
  worst: sql`min(cell.rank)`,
  failing: sql`-${FAILING}`,
};

// The group-by label's value; rows without the label sort after every group.
const groupOf = (f: MatrixFilter): SQL => (f.group ? jsonText(sql`c.labels`, f.group) : sql`null`);

function orderOf(f: MatrixFilter): SQL {
  const group = groupOf(f);
  // Without a group, no group terms: PostgreSQL refuses a constant (null) in ORDER BY.
  const grouped = f.group ? sql`(${group} is null), ${group}, ` : sql``;
  return sql`${grouped}${ORDER[f.sort]} ${f.dir === "desc" ? sql`desc` : sql`asc`}, c.name`;
}

/** Rows are clusters with at least one cell the filters leave; the cells CTE must precede this. */
function rowsSelect(f: MatrixFilter, columns: SQL, page?: { limit: number; offset: number }): SQL {
  return sql`select ${columns}
    from cell join clusters c on c.id = cell.cluster_id
    where ${cellWhere(f)}
    group by c.id
    order by ${orderOf(f)}
    ${page ? sql`limit ${page.limit} offset ${page.offset}` : sql``}`;
}

function toCell(r: CellRecord): MatrixCell {
  return {
    columnId: r.column_id,
    configurationId: r.configuration_id,
    clusterId: r.cluster_id,
    state: isComplianceState(r.state) ? r.state : "Unknown",
    reason: r.reason,
    message: r.message,
    since: r.since === null ? null : new Date(r.since),
    observedAt: r.observed_at === null ? null : new Date(r.observed_at),
    behindBy: r.behind_by,
    aheadBy: r.ahead_by,
    hasConfigDrift: r.has_config_drift === 1,
    hasRevisionDrift: r.has_revision_drift === 1,
    hasResourceDrift: r.has_resource_drift === 1,
    assignmentIds: assignmentIdsOf(r.assignments),
  };
}

/** The cells of some clusters (a page, an export batch) that the filters leave. */
export function matrixCells(f: MatrixFilter, all: readonly Assignment[], clusterIds: readonly string[]): MatrixCell[] {
  if (clusterIds.length === 0) return [];
  return getDb()
    .all<CellRecord>(sql`${scopeOf(f, all, clusterIds)} select cell.*, ${cellDetail.columns} from cell ${cellDetail.join} where ${cellWhere(f)}`)
    .map(toCell);
}

export type MatrixCluster = { id: string; name: string; labels: Record<string, string> };

/** Every filtered cluster in matrix order: what an export walks through in batches. */
export function matrixClusterOrder(f: MatrixFilter, all: readonly Assignment[]): MatrixCluster[] {
  return getDb()
    .all<{ id: string; name: string; labels: string }>(sql`${scopeOf(f, all)} ${rowsSelect(f, sql`c.id as id, c.name as name, c.labels as labels`)}`)
    .map((r) => ({ id: r.id, name: r.name, labels: JSON.parse(r.labels) as Record<string, string> }));
}

function toColumn(f: MatrixFilter, all: readonly Assignment[], id: string, cellCount: number): MatrixColumn | undefined {
  const isAssignment = f.view === "assignments";
  const assignment = all.find((a) => (isAssignment ? a.id === id : a.configurationId === id));
  if (!assignment) return undefined;
  return {
    id,
    name: isAssignment ? assignment.name : assignment.configurationName,
    configurationId: assignment.configurationId,
    configurationName: assignment.configurationName,
    effect: isAssignment ? assignment.effect : null,
    cellCount,
  };
}

// The page statement's branches, each a JSON array:
type PagePayloads = {
  row: [id: string, name: string, labels: Record<string, string>, group: string | null, worstRank: number, failing: number, position: number];
  column: [columnId: string, cells: number];
  total: [clusters: number];
};
type PageRecord = { [K in keyof PagePayloads]: { kind: K; payload: string } }[keyof PagePayloads];

/** A page of the matrix without its cells: rows in order, the filtered total and the columns (what the cache keeps). */
export type MatrixFrame = Omit<Matrix, "rows"> & { rows: Omit<MatrixRow, "cells">[] };

/**
 * One page's rows, the filtered total and the columns, from one statement (the cells worked out
 * once). This is the costly part over a whole fleet; the page's cells come from loadMatrix.
 */
export function loadMatrixFrame(f: MatrixFilter, all: readonly Assignment[]): MatrixFrame {
  const page = { limit: MATRIX_PAGE_SIZE, offset: (f.page - 1) * MATRIX_PAGE_SIZE };
  const records = getDb().all<PageRecord>(sql`${scopeOf(f, all)}
    select 'row' as kind, ${jsonArray(sql`id`, sql`name`, jsonEmbedded(sql`labels`), sql`grp`, sql`worst`, sql`failing`, sql`position`)} as payload from (${rowsSelect(
      f,
      sql`c.id as id, c.name as name, c.labels as labels, ${groupOf(f)} as grp, min(cell.rank) as worst,
        ${FAILING} as failing, row_number() over (order by ${orderOf(f)}) as position`,
      page,
    )}) as page_rows
    union all
    select 'column', ${jsonArray(sql`cell.column_id`, sql`count(*)`)} from cell where ${cellWhere(f)} group by cell.column_id
    union all
    select 'total', ${jsonArray(sql`count(distinct cell.cluster_id)`)} from cell where ${cellWhere(f)}`);
  const rows: MatrixFrame["rows"] = [];
  const positions = new Map<string, number>();
  const columns: MatrixColumn[] = [];
  let total = 0;
  for (const record of records) {
    if (record.kind === "row") {
      const [id, name, labels, group, worst, failing, position] = JSON.parse(record.payload) as PagePayloads["row"];
      rows.push({ id, name, labels, group, worst: stateOfRank(worst), failing });
      positions.set(id, position);
    } else if (record.kind === "column") {
      const [id, cellCount] = JSON.parse(record.payload) as PagePayloads["column"];
      const column = toColumn(f, all, id, cellCount);
      if (column) columns.push(column);
    } else [total] = JSON.parse(record.payload) as PagePayloads["total"];
  }
  // A compound statement does not keep a branch's order: the rows carry their position.
  rows.sort((a, b) => (positions.get(a.id) ?? 0) - (positions.get(b.id) ?? 0));
  columns.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  // A column page past the end (the columns shrank under a filter) shows the last one.
  const lastPage = Math.max(1, Math.ceil(columns.length / MATRIX_COLUMN_PAGE_SIZE));
  const columnOffset = (Math.min(f.cols, lastPage) - 1) * MATRIX_COLUMN_PAGE_SIZE;
  return { rows, total, columns: columns.slice(columnOffset, columnOffset + MATRIX_COLUMN_PAGE_SIZE), columnOffset, columnTotal: columns.length };
}

/**
 * One page of the matrix: its rows with their cells, the filtered total and the columns. The
 * frame may come from a cache (lib/queries/compliance); the cells, which carry observation
 * times, are always read fresh, from a statement limited to the page's clusters.
 */
export function loadMatrix(f: MatrixFilter, all: readonly Assignment[], frame: MatrixFrame = loadMatrixFrame(f, all)): Matrix {
  const rows: MatrixRow[] = frame.rows.map((row) => ({ ...row, cells: new Map() }));
  const rowById = new Map(rows.map((r) => [r.id, r]));
  for (const cell of matrixCells(f, all, rows.map((r) => r.id))) rowById.get(cell.clusterId)?.cells.set(cell.columnId, cell);
  return { ...frame, rows };
}
