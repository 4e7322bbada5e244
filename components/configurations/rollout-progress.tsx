"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { fetchJson } from "@/components/session/fetch-json";
import { Badge } from "@/components/ui/badges";
import type { RolloutProgress } from "@/lib/push/rollouts";
import { WindowOverrideForm, type OverrideAction } from "./window-override";

/** A rollout row's state as a badge: an icon and a word, never colour alone. */
export const STATE_BADGE: Record<string, { tone: "green" | "amber" | "red" | "grey" | "blue" | "neutral"; icon: string }> = {
  pending: { tone: "neutral", icon: "…" },
  applying: { tone: "amber", icon: "⟳" },
  applied: { tone: "green", icon: "✓" },
  removed: { tone: "grey", icon: "−" },
  failed: { tone: "red", icon: "✕" },
  interrupted: { tone: "red", icon: "■" },
  // A later rollout (or the deletion) took this cluster over before this row applied: not on this version.
  superseded: { tone: "grey", icon: "↷" },
  skipped: { tone: "grey", icon: "⤼" },
  aborted: { tone: "grey", icon: "■" },
};

/** Where a rollout's current wave stands, in words (the push panel and the rollout page). */
export const WAVE_PHASE_WORDS: Record<string, string> = { applying: "applying", gate: "gate: waiting", halted: "halted", approval: "waiting for approval", finished: "finished" };

const isUnfinished = (state: string | undefined) => state === "running" || state === "queued";

/** Per-cluster rows filling in while a push runs; polling stops once the rollout is done. */
/** `overrideWindows`: given to admins, who may let a push held by a maintenance window through. */
export function RolloutProgressPanel({ rolloutId, initial, overrideWindows }: { rolloutId: string; initial?: RolloutProgress; overrideWindows?: OverrideAction }) {
  const { data, error } = useQuery({
    queryKey: ["rollout", rolloutId],
    queryFn: () => fetchJson<RolloutProgress>(`/api/rollouts/${rolloutId}`, "progress"),
    initialData: initial,
    refetchInterval: (query) => (isUnfinished(query.state.data?.state) ? 1000 : false),
  });
  // The page around the panel (Recent pushes, the status table) is server-rendered: re-read it
  // once the push finishes, or it keeps the counts of the moment the push started.
  const router = useRouter();
  const lastState = useRef(data?.state);
  useEffect(() => {
    if (isUnfinished(lastState.current) && !isUnfinished(data?.state)) router.refresh();
    lastState.current = data?.state;
  }, [data?.state, router]);
  if (error) return <p role="alert" className="text-sm text-red-700">{error.message}</p>;
  if (!data) return <p role="status">Loading push progress…</p>;
  const c = data.counts;
  // Rows a maintenance window holds wait as pending, their reason saying which window and until when.
  const held = data.clusters.filter((row) => row.state === "pending" && row.reason?.startsWith("held:")).length;
  return (
    <section aria-labelledby={`rollout-${rolloutId}`} className="card p-4">
      <h2 id={`rollout-${rolloutId}`} className="mb-1 font-semibold">
        Push of v{data.version} · {data.state === "queued" ? "waiting for the previous push of this configuration to finish" : data.state}
        {isUnfinished(data.state) && data.control.waves.length > 1 ? ` · wave ${data.control.current + 1} of ${data.control.waves.length} (${data.control.waves[data.control.current]?.name ?? ""}): ${WAVE_PHASE_WORDS[data.control.phase] ?? data.control.phase}` : ""}
      </h2>
      <p className="mb-1 text-sm">
        <a className="text-sky-800 underline dark:text-sky-300" href={`/rollouts/${rolloutId}`}>Open the rollout page</a>
        {data.control.waves.length > 1 ? " (waves, gates, approvals, pause and abort)" : " (pause and abort)"}
      </p>
      {isUnfinished(data.state) && data.control.gate && data.control.phase !== "applying" ? <p className={`mb-1 text-sm ${data.control.phase === "halted" ? "text-red-800 dark:text-red-300" : ""}`}>{data.control.gate.message}</p> : null}
      <p role="status" className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        {c.applied + c.removed} of {c.total} done{c.failed ? `, ${c.failed} failed` : ""}{c.interrupted ? `, ${c.interrupted} interrupted` : ""}
        {c.superseded ? `, ${c.superseded} superseded by a later push (not on v${data.version})` : ""}
        {c.skipped ? `, ${c.skipped} skipped` : ""}
        {c.aborted ? `, ${c.aborted} aborted` : ""}
        {c.pending + c.applying - held > 0 ? `, ${c.pending + c.applying - held} in progress` : ""}
        {held ? `, ${held} held by a maintenance window` : ""}
      </p>
      {data.windowOverride ? (
        <p className="mb-3 text-sm text-amber-900 dark:text-amber-200">
          Windows overridden by {data.windowOverride.by}: {data.windowOverride.reason}
        </p>
      ) : null}
      <table className="table-dense">
        <thead>
          <tr><th scope="col">Cluster</th><th scope="col">State</th><th scope="col">Reason</th><th scope="col">Objects</th></tr>
        </thead>
        <tbody>
          {data.clusters.map((row) => {
            const b = STATE_BADGE[row.state] ?? STATE_BADGE.pending!;
            return (
              <tr key={row.clusterId}>
                <td className="font-mono text-xs">{row.clusterName}</td>
                <td><Badge tone={b.tone} icon={b.icon}>{row.state}</Badge></td>
                <td className="max-w-md text-xs">
                  {row.reason}
                  {row.conflicts?.length ? <span className="block">Owned by: {row.conflicts.map((x) => `${x.manager} (${x.field})`).join(", ")}</span> : null}
                </td>
                <td className="text-xs">{row.objects?.length ?? 0}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {held && overrideWindows && isUnfinished(data.state) && !data.windowOverride ? <WindowOverrideForm rolloutId={rolloutId} held={held} action={overrideWindows} /> : null}
    </section>
  );
}
