import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import type { Assignment } from "./assignments";
import { assignmentIdsOf, cellsCte } from "./cells-sql";
import { cellScope } from "./stored-cells";
import { DAY_MS, TREND_DAYS, trendPoints, windowStart, type ComplianceTrend, type TrendAnchor, type TrendSeries } from "./trend-math";

// "% compliant per day" without replaying every pair: the current count of Compliant cells, walked
// back through the history rows of the window (each row says whether it entered or left Compliant).
// Scope is today's scope (label history is not kept); a pair before its first status row counts
// as not applied, like a pair in scope today that has none.

type TrendRecord = { kind: "anchor" | "delta" | "first"; assignments: string; day: number | null; total: number | null; value: number | null };

export function loadTrend(all: readonly Assignment[], now = Date.now(), days = TREND_DAYS): ComplianceTrend {
  const start = windowStart(now, days);
  // One pass over the window's history, grouped by the set of assignments covering each pair;
  // the sets are then spread over the fleet and each assignment here. CROSS JOIN keeps pair_cell
  // as the outer loop (its conditions in WHERE: PostgreSQL allows no ON on a CROSS JOIN), so history is read through its (cluster, configuration, at) index rather
  // than scanned by time and matched to pairs by cluster alone.
  const records = getDb().all<TrendRecord>(sql`${cellsCte(cellScope(all))}
    select 'anchor' as kind, assignments, null as day, count(*) as total, sum(case when state = 'Compliant' then 1 else 0 end) as value from pair_cell group by assignments
    union all
    select 'delta', p.assignments, cast((h.at - ${start}) / ${DAY_MS} as integer), null,
        sum(case when h.state = 'Compliant' then 1 else 0 end) - sum(case when h.previous_state = 'Compliant' then 1 else 0 end)
      from pair_cell p cross join configuration_status_history h where h.cluster_id = p.cluster_id and h.configuration_id = p.configuration_id and h.at >= ${start}
      group by p.assignments, 3
    union all
    select 'first', assignments, null, null, min((select min(h.at) from configuration_status_history h where h.cluster_id = p.cluster_id and h.configuration_id = p.configuration_id))
      from pair_cell p group by assignments`);

  const FLEET = "";
  const anchors = new Map<string, TrendAnchor>();
  const deltas = new Map<string, Map<number, number>>();
  // When each series was first observed: the days before it are gaps, not zeros.
  const firsts = new Map<string, number>();
  for (const r of records) {
    for (const id of [FLEET, ...assignmentIdsOf(r.assignments)]) {
      if (r.kind === "first") {
        const known = firsts.get(id);
        if (r.value !== null && (known === undefined || r.value < known)) firsts.set(id, r.value);
      } else if (r.kind === "anchor") {
        const anchor = anchors.get(id) ?? { compliant: 0, total: 0 };
        anchors.set(id, { compliant: anchor.compliant + (r.value ?? 0), total: anchor.total + (r.total ?? 0) });
      } else if (r.day !== null) {
        const byDay = deltas.get(id) ?? new Map<number, number>();
        byDay.set(r.day, (byDay.get(r.day) ?? 0) + (r.value ?? 0));
        deltas.set(id, byDay);
      }
    }
  }
  const series = (id: string, name: string): TrendSeries => ({
    id: id || "fleet",
    name,
    points: trendPoints(anchors.get(id) ?? { compliant: 0, total: 0 }, deltas.get(id) ?? new Map(), start, days, firsts.get(id) ?? null),
  });
  return { fleet: series(FLEET, "Fleet"), assignments: all.map((a) => series(a.id, a.effect === "deploy" ? `${a.name} (targets)` : a.name)) };
}
