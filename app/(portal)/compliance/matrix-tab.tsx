import { exportHref, complianceHref } from "@/components/compliance/links";
import { MatrixFilters } from "@/components/compliance/matrix-filters";
import { MatrixTable } from "@/components/compliance/matrix-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import Link from "@/components/ui/link";
import { MATRIX_COLUMN_PAGE_SIZE, MATRIX_PAGE_SIZE, isMatrixFiltered, type MatrixFilter } from "@/lib/compliance/filters";
import type { Matrix } from "@/lib/compliance/matrix";
import { loadMatrix, type Assignment } from "@/lib/queries/compliance";
import { plural } from "@/lib/words";

/** The matrix pages sideways, MATRIX_COLUMN_PAGE_SIZE columns at a time, instead of scrolling sideways. */
function ColumnPager({ matrix, filter }: { matrix: Matrix; filter: MatrixFilter }) {
  if (matrix.columnTotal <= matrix.columns.length) return null;
  const unit = filter.view === "assignments" ? "Assignments" : "Configurations";
  const page = matrix.columnOffset / MATRIX_COLUMN_PAGE_SIZE + 1;
  const pages = Math.ceil(matrix.columnTotal / MATRIX_COLUMN_PAGE_SIZE);
  const to = (cols: number) => complianceHref("matrix", { ...filter, cols });
  return (
    <nav aria-label="Matrix columns" className="mb-2 flex flex-wrap items-center gap-2 text-sm">
      <span className="text-zinc-600 dark:text-zinc-400">
        {unit} {matrix.columnOffset + 1}–{matrix.columnOffset + matrix.columns.length} of {matrix.columnTotal}
      </span>
      {page > 1 ? <Link className="btn-secondary py-1" href={to(page - 1)}>← Previous {unit.toLowerCase()}</Link> : null}
      {page < pages ? <Link className="btn-secondary py-1" href={to(page + 1)}>Next {unit.toLowerCase()} →</Link> : null}
    </nav>
  );
}

export function MatrixTab({ assignments, filter }: { assignments: Assignment[]; filter: MatrixFilter }) {
  const matrix = loadMatrix(filter, assignments);
  return (
    <>
      <MatrixFilters filter={filter} assignments={assignments} />
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm">
        <p className="text-zinc-600 dark:text-zinc-400">
          {matrix.total.toLocaleString("en")} cluster{matrix.total === 1 ? "" : "s"} × {plural(matrix.columnTotal, filter.view === "assignments" ? "assignment" : "configuration")}
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
        <>
          <ColumnPager matrix={matrix} filter={filter} />
          <MatrixTable matrix={matrix} filter={filter} />
        </>
      )}
      <Pagination page={filter.page} pageSize={MATRIX_PAGE_SIZE} total={matrix.total} hrefFor={(page) => complianceHref("matrix", { ...filter, page })} />
    </>
  );
}
