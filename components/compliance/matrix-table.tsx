import Link from "@/components/ui/link";
import { ComplianceBadge } from "@/components/ui/compliance-badge";
import { SortHeader } from "@/components/ui/sort-header";
import type { MatrixFilter } from "@/lib/compliance/filters";
import type { Matrix, MatrixCell } from "@/lib/compliance/matrix";
import { revisionDriftText } from "@/lib/words";
import { complianceHref } from "./links";

function driftWords(cell: MatrixCell): string[] {
  return [
    cell.hasConfigDrift ? "configuration drift" : null,
    cell.hasRevisionDrift ? (revisionDriftText(cell)?.toLowerCase() ?? "revision drift") : null,
    cell.hasResourceDrift ? "resource drift" : null,
  ].filter((w): w is string => w !== null);
}

function Cell({ cell }: { cell: MatrixCell | undefined }) {
  if (!cell) {
    return (
      <td className="text-zinc-300 dark:text-zinc-600">
        <span aria-hidden="true">—</span>
        <span className="sr-only">not assigned</span>
      </td>
    );
  }
  const drift = driftWords(cell);
  return (
    <td>
      <Link href={`/configurations/${cell.configurationId}`} className="inline-flex flex-col items-start gap-0.5 rounded hover:opacity-80">
        <ComplianceBadge state={cell.state} reason={cell.reason} />
        {drift.length > 0 ? (
          <span className="text-[11px] text-amber-800 dark:text-amber-300" title={drift.join(", ")}>
            <span aria-hidden="true">⚠ </span>
            {drift.length === 1 ? drift[0] : `${drift.length} kinds of drift`}
            {drift.length > 1 ? <span className="sr-only">: {drift.join(", ")}</span> : null}
          </span>
        ) : null}
      </Link>
    </td>
  );
}

/** Clusters down, configurations (or assignments) across; rows grouped by a label when asked. */
export function MatrixTable({ matrix, filter }: { matrix: Matrix; filter: MatrixFilter }) {
  const sortLink = (sort: string, dir: "asc" | "desc") => complianceHref("matrix", { ...filter, sort: sort as MatrixFilter["sort"], dir, page: 1 });
  const width = 3 + matrix.columns.length;
  const groups: { value: string | null; rows: Matrix["rows"] }[] = [];
  for (const row of matrix.rows) {
    const last = groups.at(-1);
    if (last && last.value === row.group) last.rows.push(row);
    else groups.push({ value: row.group, rows: [row] });
  }
  return (
    <div className="card relative max-h-[70vh] overflow-auto">
      <table className="table-dense">
        <caption className="sr-only">
          Compliance matrix: clusters by {filter.view}
          {filter.group ? `, grouped by ${filter.group}` : ""}
        </caption>
        <thead>
          <tr>
            <SortHeader label="Cluster" column="name" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
            <SortHeader label="Worst" column="worst" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
            <SortHeader label="Failing" column="failing" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
            {matrix.columns.map((c) => (
              <th key={c.id} scope="col" title={c.effect ? `${c.effect === "audit" ? "Audit-only assignment" : "The configuration's own targets"} for ${c.configurationName}` : undefined}>
                <span className="font-mono normal-case tracking-normal [overflow-wrap:anywhere]">{c.name}</span>
                {c.effect ? <span className="block text-[10px] font-normal normal-case text-zinc-500">{c.effect === "audit" ? `audit · ${c.configurationName}` : "targets"}</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        {groups.map((group, index) => (
          <tbody key={`${group.value ?? ""}-${index}`}>
            {filter.group ? (
              <tr className="bg-zinc-50 dark:bg-zinc-900/60">
                <th scope="rowgroup" colSpan={width} className="px-3 py-1.5 text-left text-xs font-semibold">
                  {group.value === null ? <span className="italic text-zinc-500">no {filter.group} label</span> : <span className="font-mono">{filter.group}={group.value}</span>}
                </th>
              </tr>
            ) : null}
            {group.rows.map((row) => (
              <tr key={row.id}>
                <th scope="row" className="px-3 py-1.5 text-left align-top font-normal">
                  <Link href={`/clusters/${row.id}`} className="font-medium text-sky-800 hover:underline dark:text-sky-300">{row.name}</Link>
                </th>
                <td><ComplianceBadge state={row.worst} /></td>
                <td className="tabular-nums">{row.failing}</td>
                {matrix.columns.map((c) => (
                  <Cell key={c.id} cell={row.cells.get(c.id)} />
                ))}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
