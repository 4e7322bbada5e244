// Pure: % compliant per day from the current counts and each day's net change into Compliant.
import { compliantPercent } from "./states";

export const TREND_DAYS = 30;
export const DAY_MS = 86_400_000;

export type TrendPoint = { day: string; percent: number | null };
export type TrendSeries = { id: string; name: string; points: TrendPoint[] };
export type ComplianceTrend = { fleet: TrendSeries; assignments: TrendSeries[] };

export type TrendAnchor = { compliant: number; total: number };

export function windowStart(now: number, days = TREND_DAYS): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

/**
 * The value at the end of each day (today: now), from the current counts and the net
 * change into Compliant during each day of the window (day 0 is the oldest). Days before the
 * first status history row (`firstAt`; null when there is none, so only today is known) are
 * gaps: nothing was observed then, and a made-up 0 % would read as a failing fleet.
 */
export function trendPoints(anchor: TrendAnchor, deltas: ReadonlyMap<number, number>, start: number, days = TREND_DAYS, firstAt: number | null = start): TrendPoint[] {
  const firstDay = firstAt === null ? days - 1 : Math.max(0, Math.floor((firstAt - start) / DAY_MS));
  const points: TrendPoint[] = [];
  let compliant = anchor.compliant;
  for (let day = days - 1; day >= 0; day--) {
    // Clamped: scope is today's, so a pair that left scope can make the walk overshoot.
    const Compliant = Math.min(anchor.total, Math.max(0, compliant));
    const percent = day < firstDay ? null : compliantPercent({ Compliant, total: anchor.total });
    points[day] = { day: new Date(start + day * DAY_MS).toISOString().slice(0, 10), percent };
    compliant -= deltas.get(day) ?? 0;
  }
  return points;
}
