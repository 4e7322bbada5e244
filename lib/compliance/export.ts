import "server-only";
import type { Assignment } from "./assignments";
import { csvHeader, csvLine, jsonElement, type ExportFormat, type ExportRow } from "./export-format";
import type { MatrixFilter } from "./filters";
import { matrixCells, matrixClusterOrder, type MatrixCell } from "./matrix";

// Clusters per query while exporting: small enough that a batch is a few milliseconds of SQL,
// so a slow client never holds the database, large enough that 10,000 cells are a few queries.
const EXPORT_BATCH = 250;
// Rows per chunk handed to the stream.
const CHUNK_ROWS = 500;

function coveringAssignments(cell: MatrixCell, byId: ReadonlyMap<string, Assignment>): Assignment[] {
  return cell.assignmentIds
    .flatMap((id) => byId.get(id) ?? [])
    .sort((a, b) => (a.effect === b.effect ? a.name.localeCompare(b.name) : a.effect === "deploy" ? -1 : 1));
}

/**
 * The whole filtered matrix (every page), in the page's order: rows in matrix order, cells by
 * column name. The cluster order is fixed first, then cells are read a batch of clusters at a time.
 */
function* exportRows(f: MatrixFilter, all: readonly Assignment[]): Generator<ExportRow> {
  const byId = new Map(all.map((a) => [a.id, a]));
  const byConfiguration = new Map(all.map((a) => [a.configurationId, a]));
  const isAssignments = f.view === "assignments";
  const order = matrixClusterOrder(f, all);
  const describe = (cell: MatrixCell) => {
    if (isAssignments) {
      const assignment = byId.get(cell.columnId);
      return { configuration: assignment?.configurationName ?? cell.configurationId, assignment: assignment?.name ?? cell.columnId, effect: assignment?.effect ?? null };
    }
    // A configuration's cell may be in scope through several assignments: name them all, deploy first.
    const covering = coveringAssignments(cell, byId);
    return {
      configuration: byConfiguration.get(cell.configurationId)?.configurationName ?? covering[0]?.configurationName ?? cell.configurationId,
      assignment: covering.length ? covering.map((a) => a.name).join("; ") : null,
      effect: covering.length ? [...new Set(covering.map((a) => a.effect))].join("; ") : null,
    };
  };
  for (let i = 0; i < order.length; i += EXPORT_BATCH) {
    const batch = order.slice(i, i + EXPORT_BATCH);
    const cells = new Map<string, (MatrixCell & ReturnType<typeof describe>)[]>();
    for (const cell of matrixCells(f, all, batch.map((c) => c.id))) {
      const row = cells.get(cell.clusterId) ?? [];
      row.push({ ...cell, ...describe(cell) });
      cells.set(cell.clusterId, row);
    }
    for (const cluster of batch) {
      const row = (cells.get(cluster.id) ?? []).sort((a, b) => (a.assignment ?? a.configuration).localeCompare(b.assignment ?? b.configuration) || a.configuration.localeCompare(b.configuration));
      for (const cell of row) {
        yield {
          cluster: cluster.name,
          labels: cluster.labels,
          configuration: cell.configuration,
          assignment: cell.assignment,
          effect: cell.effect,
          state: cell.state,
          reason: cell.reason,
          message: cell.message,
          since: cell.since,
          observedAt: cell.observedAt,
          configDrift: cell.hasConfigDrift,
          revisionDrift: cell.hasRevisionDrift,
          resourceDrift: cell.hasResourceDrift,
          behindBy: cell.behindBy,
        };
      }
    }
  }
}

/** The export as a byte stream, produced as the client reads it. */
export function exportStream(f: MatrixFilter, all: readonly Assignment[], format: ExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let rows: Generator<ExportRow> | undefined;
  let isFirst = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(format === "csv" ? csvHeader() : "[\n"));
    },
    pull(controller) {
      // Started lazily so the first query runs when the client starts reading.
      rows ??= exportRows(f, all);
      let chunk = "";
      for (let n = 0; n < CHUNK_ROWS; n++) {
        const next = rows.next();
        if (next.done) {
          if (format === "json") chunk += "\n]\n";
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += format === "csv" ? csvLine(next.value) : jsonElement(next.value, isFirst);
        isFirst = false;
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
}
