import { COMPLIANCE_STYLE } from "@/components/ui/compliance-badge";
import { COMPLIANCE_STATES } from "@/db/enums";
import { compliantPercent, formatPercent, type StateCounts } from "@/lib/compliance/states";

const BAR: Record<(typeof COMPLIANCE_STATES)[number], string> = {
  "Non-Compliant": "bg-red-600",
  Pending: "bg-amber-500",
  Unknown: "bg-zinc-400",
  Suspended: "bg-zinc-300 dark:bg-zinc-600",
  Compliant: "bg-emerald-600",
};

/** A stacked bar for the eye; the counts beside it, icon + word, carry the same figures for everyone. */
export function StateBar({ counts }: { counts: StateCounts }) {
  if (counts.total === 0) return null;
  return (
    <div className="flex h-1.5 w-full overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
      {COMPLIANCE_STATES.filter((s) => counts[s] > 0).map((s) => (
        <span key={s} className={BAR[s]} style={{ width: `${(counts[s] / counts.total) * 100}%` }} />
      ))}
    </div>
  );
}

/** "✕ 3 Non-Compliant · ◌ 1 Pending…", worst first, states with no cells left out. */
export function StateCountList({ counts }: { counts: StateCounts }) {
  const present = COMPLIANCE_STATES.filter((s) => counts[s] > 0);
  if (present.length === 0) return <span className="text-xs text-zinc-500">nothing in scope</span>;
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs text-zinc-700 dark:text-zinc-300">
      {present.map((s) => (
        <li key={s} className="whitespace-nowrap">
          <span aria-hidden="true">{COMPLIANCE_STYLE[s].icon}</span> <span className="tabular-nums">{counts[s].toLocaleString("en")}</span> {s}
        </li>
      ))}
    </ul>
  );
}

export function Percent({ counts }: { counts: StateCounts }) {
  return <span className="tabular-nums">{formatPercent(compliantPercent(counts))}</span>;
}
