import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { DAY_MS, TREND_DAYS, trendPoints, windowStart, type TrendSeries } from "@/lib/compliance/trend-math";

// % of cluster × policy pairs passing per day (audited, nothing failing), walked back from
// today's counts through policy_result_history, as the GitOps trend walks status history.
// Scope is today's pairs; waivers and staleness are judged now, so the trend counts raw results.

type Row = { kind: "anchor" | "delta" | "first"; day: number | null; total: number | null; value: number | null };

export function loadPolicyTrend(now = Date.now(), days = TREND_DAYS): TrendSeries {
  const start = windowStart(now, days);
  const rows = getDb().all<Row>(sql`
    select 'anchor' as kind, null as day, count(*) as total, coalesce(sum(case when audited_at is not null and fail + error = 0 then 1 else 0 end), 0) as value from policy_results
    union all
    select 'delta', cast((at - ${start}) / ${DAY_MS} as integer), null, sum(passing) - sum(coalesce(previous_passing, 0)) from policy_result_history where at >= ${start} group by 2
    union all
    select 'first', null, null, min(at) from policy_result_history`);
  const anchor = rows.find((r) => r.kind === "anchor");
  const deltas = new Map(rows.filter((r) => r.kind === "delta" && r.day !== null).map((r) => [r.day!, r.value ?? 0]));
  const first = rows.find((r) => r.kind === "first")?.value ?? null;
  return { id: "policies", name: "Policies passing (cluster × policy)", points: trendPoints({ compliant: anchor?.value ?? 0, total: anchor?.total ?? 0 }, deltas, start, days, first) };
}
