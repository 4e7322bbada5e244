// Pure words for the dashboard, shared with /compliance's arithmetic so the pages agree.
import { formatPercent, sharePercent } from "@/lib/compliance/states";
import { plural } from "@/lib/words";

/** "66.6% of 3 cluster × configuration pairs": the same rounding as /compliance (down, one decimal). */
export function stateShareCaption(count: number, total: number): string {
  return `${formatPercent(sharePercent(count, total))} of ${plural(total, "cluster × configuration pair")}`;
}
