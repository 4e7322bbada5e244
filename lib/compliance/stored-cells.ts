import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { isBusyError } from "@/db/busy";
import type { Assignment } from "./assignments";
import { cellsCte, PAIR_CELL_COLUMNS, type CellScope } from "./cells-sql";

// compliance_cells (db/schema-compliance.ts) holds every cell of one assignment list. Triggers
// keep each pair's row as its status row and target change, so after a status change the
// compliance figures are aggregates over stored rows rather than every cell worked out again
// (selectors over every cluster, targets and status joined pair by pair). When the scope itself
// moves (another assignment list, a cluster added, removed or relabelled) the next read
// rebuilds the table: the cost every read used to pay, now paid once per such change.

type StoredState = { assignments_hash: string; stale: number };

/** What the cells depend on in an assignment list (names and effects are not part of a cell). */
export function assignmentListHash(all: readonly Assignment[]): string {
  const scope = all.map((a) => [a.id, a.configurationId, a.selector, [...a.clusterIds].sort()]);
  return createHash("sha256").update(JSON.stringify(scope)).digest("base64url");
}

function readState(): StoredState | undefined {
  return getDb().get<StoredState | undefined>(sql`select assignments_hash, stale from compliance_cells_state where id = 1`);
}

function isCurrent(state: StoredState | undefined, hash: string): boolean {
  return state !== undefined && state.stale === 0 && state.assignments_hash === hash;
}

/**
 * Makes compliance_cells hold exactly the cells of `all` (rebuilding it when the scope moved)
 * and says whether it does. False only when the database stayed locked for the rebuild: the
 * caller then works the cells out itself, as before, rather than failing the page.
 */
export function ensureStoredCells(all: readonly Assignment[]): boolean {
  const hash = assignmentListHash(all);
  if (isCurrent(readState(), hash)) return true;
  const db = getDb();
  try {
    db.transaction(
      (tx) => {
        // Another request (or process) may have rebuilt it while this one waited for the lock.
        if (isCurrent(tx.get<StoredState | undefined>(sql`select assignments_hash, stale from compliance_cells_state where id = 1`), hash)) return;
        tx.run(sql`delete from compliance_cells`);
        tx.run(sql`insert into compliance_cells (${PAIR_CELL_COLUMNS}) ${cellsCte({ assignments: all })}
          select configuration_id, cluster_id, assignments, coalesce(not_applied, 0), state, rank, since, has_config_drift, has_revision_drift, has_resource_drift from pair_cell`);
        tx.run(sql`insert into compliance_cells_state (id, assignments_hash, stale) values (1, ${hash}, 0)
          on conflict (id) do update set assignments_hash = excluded.assignments_hash, stale = 0`);
      },
      { behavior: "immediate" },
    );
    return true;
  } catch (error) {
    if (isBusyError(error)) return false;
    throw error;
  }
}

/** The cells scope for `part` of `all` (all of it by default): read from compliance_cells whenever it holds `all`. */
export function cellScope(all: readonly Assignment[], scope: Omit<CellScope, "stored" | "assignments"> & { assignments?: CellScope["assignments"] } = {}): CellScope {
  const assignments = scope.assignments ?? all;
  return { ...scope, assignments, stored: ensureStoredCells(all) ? all : undefined };
}
