import Link from "@/components/ui/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badges";
import { compliantPercent, formatPercent, type StateCounts } from "@/lib/compliance/states";
import type { ComplianceSummary } from "@/lib/compliance/summary";
import { complianceHref } from "./links";
import { Percent, StateBar, StateCountList } from "./state-counts";

function HeadlineCard({ title, counts, unit, note }: { title: string; counts: StateCounts; unit: string; note: string }) {
  return (
    <section className="card space-y-2 p-4" aria-labelledby={`headline-${title}`}>
      <h2 id={`headline-${title}`} className="text-sm font-semibold text-zinc-600 dark:text-zinc-400">{title}</h2>
      <p>
        <span className="text-3xl font-semibold tabular-nums">{formatPercent(compliantPercent(counts))}</span>{" "}
        <span className="text-sm text-zinc-600 dark:text-zinc-400">
          compliant: {counts.Compliant.toLocaleString("en")} of {counts.total.toLocaleString("en")} {unit}
        </span>
      </p>
      <StateBar counts={counts} />
      <StateCountList counts={counts} />
      <p className="text-xs text-zinc-500">{note}</p>
    </section>
  );
}

type BreakdownRow = { key: string; label: ReactNode; href: string; counts: StateCounts };

function Breakdown({ title, rows, empty }: { title: string; rows: BreakdownRow[]; empty: string }) {
  const id = `breakdown-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section className="card overflow-hidden" aria-labelledby={id}>
      <h2 id={id} className="border-b border-zinc-200 px-3 py-2 text-sm font-semibold dark:border-zinc-800">{title}</h2>
      {rows.length === 0 ? (
        <p className="px-3 py-3 text-sm text-zinc-500">{empty}</p>
      ) : (
        <div className="relative max-h-80 overflow-auto">
          <table className="table-dense">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="text-right">Compliant</th>
                <th scope="col" className="w-2/5">By state</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <td>
                    <Link href={r.href} className="text-sky-800 hover:underline dark:text-sky-300">{r.label}</Link>
                  </td>
                  <td className="text-right font-medium"><Percent counts={r.counts} /></td>
                  <td className="min-w-32 space-y-1">
                    <StateBar counts={r.counts} />
                    <StateCountList counts={r.counts} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Fleet-wide and per cluster first, then per assignment, configuration and label value; each row opens the matrix filtered to it. */
export function SummarySection({ summary }: { summary: ComplianceSummary }) {
  const assignments = summary.byAssignment.map(({ assignment, counts }) => ({
    key: assignment.id,
    label: (
      <span className="inline-flex items-center gap-1.5">
        <span className="font-mono">{assignment.name}</span>
        <Badge tone={assignment.effect === "audit" ? "blue" : "grey"} icon={assignment.effect === "audit" ? "◎" : "⇪"}>
          {assignment.effect === "audit" ? "audit" : "targets"}
        </Badge>
      </span>
    ),
    href: complianceHref("matrix", { assignment: assignment.id, view: "assignments" }),
    counts,
  }));
  const configurations = summary.byConfiguration.map((c) => ({
    key: c.configurationId,
    label: <span className="font-mono">{c.name}</span>,
    href: complianceHref("matrix", { configuration: c.configurationId }),
    counts: c.counts,
  }));
  return (
    <div className="space-y-4">
      <div className="grid gap-4 md:grid-cols-2">
        <HeadlineCard title="Fleet" counts={summary.fleet} unit="configuration × cluster pairs" note="Every configuration each cluster should run, by its assignments; one missing counts as Non-Compliant (not applied)." />
        <HeadlineCard title="Clusters" counts={summary.clusters} unit="clusters in scope" note="Each cluster counted once, by its worst configuration." />
      </div>
      <div className="grid gap-4 xl:grid-cols-2">
        <Breakdown title="By assignment" rows={assignments} empty="No assignments yet: push a configuration, or add an audit assignment." />
        <Breakdown title="By configuration" rows={configurations} empty="No configuration is expected anywhere yet." />
        {summary.byLabel.map(({ key, groups }) => (
          <Breakdown
            key={key}
            title={`By ${key}`}
            empty={`No cluster in scope carries the label ${key}.`}
            rows={groups.map((g) => ({
              key: g.value ?? "",
              label: g.value === null ? <span className="italic text-zinc-500">no {key} label</span> : <span className="font-mono">{key}={g.value}</span>,
              href: complianceHref("matrix", g.value === null ? { group: key } : { label: `${key}=${g.value}` }),
              counts: g.counts,
            }))}
          />
        ))}
      </div>
    </div>
  );
}
