"use client";

import { useId, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ComplianceTrend, TrendSeries } from "@/lib/compliance/trend-math";

const percent = (value: number | null | undefined) => (value === null || value === undefined ? "—" : `${value}%`);

/** One sentence per series for people who do not see the chart: today, the start, the lowest point. */
function describe(series: TrendSeries): string {
  const known = series.points.filter((p) => p.percent !== null);
  const first = known[0];
  const last = known.at(-1);
  if (!first || !last) return `${series.name}: nothing in scope.`;
  const lowest = known.reduce((low, p) => ((p.percent ?? 0) < (low.percent ?? 0) ? p : low));
  return `${series.name}: ${percent(last.percent)} on ${last.day}, ${percent(first.percent)} on ${first.day}; lowest ${percent(lowest.percent)} on ${lowest.day}.`;
}

/**
 * % compliant per day, fleet-wide with one assignment beside it for comparison. The chart is
 * hidden from assistive technology: a summary and a table carry the same figures.
 */
export function TrendChart({ trend }: { trend: ComplianceTrend }) {
  const id = useId();
  const [compareId, setCompareId] = useState("");
  const compare = trend.assignments.find((s) => s.id === compareId);
  const data = trend.fleet.points.map((p, i) => ({ day: p.day.slice(5), fleet: p.percent, compare: compare?.points[i]?.percent ?? null }));
  return (
    <section className="card space-y-3 p-4" aria-labelledby={`${id}-title`}>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h2 id={`${id}-title`} className="text-sm font-semibold">% compliant, last {trend.fleet.points.length} days</h2>
        {trend.assignments.length > 0 ? (
          <div>
            <label htmlFor={`${id}-compare`} className="block text-xs font-medium">Compare with</label>
            <select id={`${id}-compare`} className="input py-1" value={compareId} onChange={(e) => setCompareId(e.target.value)}>
              <option value="">Fleet only</option>
              {trend.assignments.map((s) => (
                <option key={s.id} value={s.id}>{s.name}</option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <div className="h-56 w-full" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 12, bottom: 0, left: -12 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={24} />
            <YAxis domain={[0, 100]} tick={{ fontSize: 11 }} tickFormatter={(v: number) => `${v}%`} />
            <Tooltip formatter={(value) => percent(typeof value === "number" ? value : null)} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line type="monotone" dataKey="fleet" name="Fleet" stroke="#0369a1" strokeWidth={2} dot={false} isAnimationActive={false} />
            {compare ? <Line type="monotone" dataKey="compare" name={compare.name} stroke="#b45309" strokeWidth={2} strokeDasharray="6 3" dot={false} isAnimationActive={false} /> : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {describe(trend.fleet)} {compare ? describe(compare) : null}
      </p>
      {/* A table ignores a 1px height, so the wrapper is what is visually hidden. */}
      <div className="sr-only">
        <table>
          <caption>% compliant per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Fleet</th>
              {compare ? <th scope="col">{compare.name}</th> : null}
            </tr>
          </thead>
          <tbody>
            {trend.fleet.points.map((p, i) => (
              <tr key={p.day}>
                <th scope="row">{p.day}</th>
                <td>{percent(p.percent)}</td>
                {compare ? <td>{percent(compare.points[i]?.percent)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
