import Link from "@/components/ui/link";
import { Time } from "@/components/ui/time";
import type { NonCompliantCell } from "@/lib/compliance/summary";
import { complianceHref } from "./links";

/** What needs attention, longest-failing first: a start time is unknown only for what was never applied. */
export function NonCompliantList({ rows, total }: { rows: NonCompliantCell[]; total: number }) {
  return (
    <section className="card overflow-hidden" aria-labelledby="non-compliant">
      <div className="flex items-baseline justify-between gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
        <h2 id="non-compliant" className="text-sm font-semibold">
          Non-compliant <span className="font-normal text-zinc-500">({total.toLocaleString("en")})</span>
        </h2>
        {total > rows.length ? (
          <Link href={complianceHref("matrix", { state: "Non-Compliant", sort: "failing" })} className="text-xs text-sky-800 hover:underline dark:text-sky-300">
            All {total.toLocaleString("en")} in the matrix
          </Link>
        ) : null}
      </div>
      {rows.length === 0 ? (
        <p className="px-3 py-3 text-sm text-zinc-600 dark:text-zinc-400">Nothing is non-compliant.</p>
      ) : (
        <div className="relative max-h-96 overflow-auto">
          <table className="table-dense">
            <caption className="sr-only">Non-compliant configurations by cluster, longest failing first</caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">Configuration</th>
                <th scope="col">Reason</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.clusterId}/${r.configurationId}`}>
                  <td>
                    <Link href={`/clusters/${r.clusterId}`} className="text-sky-800 hover:underline dark:text-sky-300">{r.clusterName}</Link>
                  </td>
                  <td>
                    <Link href={`/configurations/${r.configurationId}`} className="font-mono text-sky-800 hover:underline dark:text-sky-300">{r.configurationName}</Link>
                  </td>
                  <td className="min-w-28 max-w-xs">
                    <span className="line-clamp-2 break-words" title={r.message ? `${r.reason ?? ""}: ${r.message}` : (r.reason ?? undefined)}>{r.reason ?? "—"}</span>
                    {r.message ? <span className="sr-only">{r.message}</span> : null}
                  </td>
                  <td className="whitespace-nowrap">{r.since ? <Time date={r.since} /> : <span className="text-zinc-500">never applied</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
