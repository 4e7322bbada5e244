import { DateTime } from "luxon";
import { Badge } from "@/components/ui/badges";
import { ENGINE_NAMES } from "@/components/compliance/cluster-policies";
import { EmptyState } from "@/components/ui/empty-state";
import { LongText } from "@/components/ui/long-text";
import { Time } from "@/components/ui/time";
import type { WaiverStatus } from "@/db/enums";
import { formatSelector } from "@/lib/compliance/selector-text";
import { listWaivers, waiverScope, type WaiverView } from "@/lib/policy/waivers";
import { DecideWaiverForm, RequestWaiverForm, type WaiverPrefill } from "./waiver-forms";

const STATE_BADGES: Record<WaiverStatus | "expired", { tone: "amber" | "blue" | "grey" | "red"; icon: string; label: string }> = {
  pending: { tone: "amber", icon: "◷", label: "Waiting for approval" },
  approved: { tone: "blue", icon: "⚑", label: "Approved" },
  rejected: { tone: "red", icon: "✕", label: "Rejected" },
  withdrawn: { tone: "grey", icon: "–", label: "Withdrawn" },
  expired: { tone: "grey", icon: "⏱", label: "Expired" },
};

function WaiverRow({ w, userId, canWrite }: { w: WaiverView; userId: string; canWrite: boolean }) {
  const badge = STATE_BADGES[w.state];
  const canDecide = canWrite && w.state === "pending" && w.requestedById !== userId;
  const canWithdraw = canWrite && (w.state === "pending" || w.state === "approved");
  return (
    <tr data-testid="waiver-row">
      <td>
        <Badge tone={badge.tone} icon={badge.icon}>
          {badge.label}
        </Badge>
      </td>
      <td className="font-mono text-xs [overflow-wrap:anywhere]">
        <LongText text={waiverScope(w)} limit={80} />
        <span className="block font-sans text-zinc-600 dark:text-zinc-400">{ENGINE_NAMES[w.engine]}</span>
      </td>
      <td className="text-xs">
        <span className="font-mono">{formatSelector(w.selector)}</span>
        <span className="block text-zinc-600 dark:text-zinc-400">
          {w.clusters} cluster{w.clusters === 1 ? "" : "s"} now
        </span>
      </td>
      <td className="text-xs">
        <LongText text={w.reason} limit={100} />
      </td>
      <td className="text-xs">
        {w.requestedBy}
        <span className="block">
          <Time date={w.requestedAt} />
        </span>
      </td>
      <td className="text-xs">
        {w.decidedBy ? (
          <>
            {w.decidedBy}
            <span className="block">
              <Time date={w.decidedAt} />
            </span>
            {w.decisionNote ? <LongText text={w.decisionNote} limit={60} /> : null}
          </>
        ) : (
          "—"
        )}
      </td>
      <td className="whitespace-nowrap text-xs">{DateTime.fromJSDate(w.expiresAt, { zone: "utc" }).minus({ days: 1 }).toISODate()} (end of day, UTC)</td>
      <td>{canDecide || canWithdraw ? <DecideWaiverForm waiverId={w.id} label={waiverScope(w)} canDecide={canDecide} canWithdraw={canWithdraw} /> : w.state === "pending" && canWrite ? <span className="text-xs">Another operator must approve it.</span> : null}</td>
    </tr>
  );
}

/** Risk acceptances: ask, approve (a second person), reject, withdraw; each is audited. */
export function WaiversTab({ userId, canWrite, prefill }: { userId: string; canWrite: boolean; prefill: WaiverPrefill }) {
  const waivers = listWaivers();
  const today = DateTime.utc().startOf("day");
  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
      <section aria-labelledby="waivers-heading" className="card overflow-x-auto">
        <h2 id="waivers-heading" className="p-3 font-semibold">
          Risk acceptances
        </h2>
        <p className="px-3 pb-2 text-sm text-zinc-600 dark:text-zinc-400">
          While approved and unexpired, the results a waiver covers show as Accepted risk: counted apart, never as passing. One person asks, another operator or admin approves.
        </p>
        {waivers.length === 0 ? (
          <EmptyState title="No risk acceptances">Ask for one when a policy is knowingly not met; it needs a second person&apos;s approval and an expiry.</EmptyState>
        ) : (
          <table className="table-dense">
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Covers</th>
                <th scope="col">Clusters</th>
                <th scope="col">Reason</th>
                <th scope="col">Asked by</th>
                <th scope="col">Decided by</th>
                <th scope="col">Holds until</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {waivers.map((w) => (
                <WaiverRow key={w.id} w={w} userId={userId} canWrite={canWrite} />
              ))}
            </tbody>
          </table>
        )}
      </section>
      {canWrite ? (
        <section aria-labelledby="waiver-request" className="card space-y-2 p-4">
          <h2 id="waiver-request" className="font-semibold">
            Ask to accept a risk
          </h2>
          <RequestWaiverForm prefill={prefill} minDate={today.toISODate()!} maxDate={today.plus({ years: 1 }).toISODate()!} />
        </section>
      ) : null}
    </div>
  );
}
