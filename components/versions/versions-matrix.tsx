import Link from "@/components/ui/link";
import type { VersionsView } from "@/lib/versions/queries";
import { cut, VersionMarks } from "./version-badges";

/** Rows: images (or charts) grouped by configuration; columns: clusters, grouped by a label's value. */
export function VersionsMatrix({ view, kindLabel }: { view: VersionsView; kindLabel: string }) {
  const { rows, columns } = view;
  const groups: { value: string | null; span: number }[] = [];
  for (const c of columns) {
    const last = groups.at(-1);
    if (last && last.value === c.group) last.span++;
    else groups.push({ value: c.group, span: 1 });
  }
  const isGrouped = columns.some((c) => c.group !== null) || groups.length > 1;
  // Rows arrive sorted by configuration: each configuration gets a header row before its first.
  const startsGroup = rows.map((row, i) => i === 0 || rows[i - 1]!.configurationId !== row.configurationId);
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense w-full table-fixed" aria-label="Versions per cluster">
        <thead>
          {isGrouped ? (
            <tr>
              <th scope="col" className="w-[24%]" />
              {groups.map((g, i) => (
                <th key={i} scope="colgroup" colSpan={g.span} className="text-center">
                  {g.value === null ? <span className="text-zinc-500">no label</span> : cut(g.value, 40)}
                </th>
              ))}
            </tr>
          ) : null}
          <tr>
            <th scope="col" className="w-[24%]">{kindLabel}</th>
            {columns.map((c) => (
              <th key={c.id} scope="col" className="[overflow-wrap:anywhere]">
                <Link href={`/clusters/${c.id}?tab=versions`} className="text-sky-800 hover:underline dark:text-sky-300">
                  {c.name}
                </Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.flatMap((row, index) => {
            const header =
              startsGroup[index] ? (
                <tr key={`h-${row.configurationId}`} className="bg-zinc-50 dark:bg-zinc-900">
                  <th scope="rowgroup" colSpan={columns.length + 1} className="text-left">
                    <Link href={`/configurations/${row.configurationId}`} className="text-sky-800 hover:underline dark:text-sky-300">
                      {row.configurationName}
                    </Link>
                  </th>
                </tr>
              ) : null;
            const line = (
              <tr key={`${row.configurationId}\0${row.name}`}>
                <th scope="row" className="text-left font-normal">
                  <span className="block font-mono text-xs [overflow-wrap:anywhere]" title={row.name}>{cut(row.name, 80)}</span>
                  {row.newest ? <span className="block text-xs text-zinc-500" title={row.newest}>newest {cut(row.newest, 40)}</span> : null}
                </th>
                {columns.map((c) => {
                  const cell = row.cells[c.id];
                  return (
                    <td key={c.id}>
                      {cell ? (
                        <ul className="space-y-1">
                          {cell.map((v) => (
                            <li key={v.full} className="flex flex-wrap items-center gap-1">
                              <span className="font-mono text-xs [overflow-wrap:anywhere]" title={[v.full, ...v.workloads].join("\n")}>{cut(v.label, 32)}</span>
                              <VersionMarks isBehind={v.isBehind} isNotInGit={v.isNotInGit} newest={row.newest} gitImage={v.gitImage} />
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="text-zinc-400" aria-label="not running">—</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
            return header ? [header, line] : [line];
          })}
        </tbody>
      </table>
    </div>
  );
}
