import { exportHref, complianceHref } from "@/components/compliance/links";
import { MatrixFilters } from "@/components/compliance/matrix-filters";
import { MatrixTable } from "@/components/compliance/matrix-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import type { Assignment } from "@/lib/compliance/assignments";
import { MATRIX_PAGE_SIZE, isMatrixFiltered, type MatrixFilter } from "@/lib/compliance/filters";
import { loadMatrix } from "@/lib/compliance/matrix";
import { plural } from "@/lib/words";

export function MatrixTab({ assignments, filter }: { assignments: Assignment[]; filter: MatrixFilter }) {
  const matrix = loadMatrix(filter, assignments);
  return (
    <>
      <MatrixFilters filter={filter} assignments={assignments} />
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm">
        <p className="text-zinc-600 dark:text-zinc-400">
          {matrix.total.toLocaleString("en")} cluster{matrix.total === 1 ? "" : "s"} × {plural(matrix.columns.length + matrix.hiddenColumns, filter.view === "assignments" ? "assignment" : "configuration")}
          {matrix.hiddenColumns > 0 ? ` (the first ${matrix.columns.length} shown; filter by configuration or export to see the rest)` : ""}
        </p>
        <div className="flex gap-2">
          <a className="btn-secondary" href={exportHref("csv", filter)} download>Export CSV</a>
          <a className="btn-secondary" href={exportHref("json", filter)} download>Export JSON</a>
        </div>
      </div>
      {matrix.rows.length === 0 ? (
        isMatrixFiltered(filter) ? (
          <EmptyState title="No cells match these filters">Loosen or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No cluster is in scope of any assignment">
            Push a configuration to clusters, or add an audit-only assignment whose selector matches some clusters.
          </EmptyState>
        )
      ) : (
        <MatrixTable matrix={matrix} filter={filter} />
      )}
      <Pagination page={filter.page} pageSize={MATRIX_PAGE_SIZE} total={matrix.total} hrefFor={(page) => complianceHref("matrix", { ...filter, page })} />
    </>
  );
}
