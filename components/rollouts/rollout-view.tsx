"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { STATE_BADGE, WAVE_PHASE_WORDS } from "@/components/configurations/rollout-progress";
import { fetchJson } from "@/components/session/fetch-json";
import { Badge } from "@/components/ui/badges";
import { FormMessage } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { useHydrated } from "@/components/ui/use-hydrated";
import { idle, type ActionResult, type FormState } from "@/lib/actions/result";
import type { RolloutClusterProgress, RolloutProgress } from "@/lib/push/rollouts";

export type ControlAction = (prev: FormState<{ rolloutId?: string }>, form: FormData) => Promise<ActionResult<{ rolloutId?: string }>>;

const isUnfinished = (state: string | undefined) => state === "running" || state === "queued";


/** Seconds as "1 m 05 s". */
function duration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? `${m} m ${String(s).padStart(2, "0")} s` : `${s} s`;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

type WaveCounts = { pending: number; applying: number; applied: number; compliant: number; failed: number; out: number; total: number };

function countWave(rows: RolloutClusterProgress[], version: number): WaveCounts {
  const c: WaveCounts = { pending: 0, applying: 0, applied: 0, compliant: 0, failed: 0, out: 0, total: rows.length };
  for (const row of rows) {
    if (row.state === "pending") c.pending++;
    else if (row.state === "applying") c.applying++;
    else if (row.state === "applied" || row.state === "removed") c.applied++;
    else if (row.state === "failed" || row.state === "interrupted") c.failed++;
    else c.out++;
    if (row.state === "applied" && row.compliance === "Compliant" && (row.appliedVersion ?? 0) >= version) c.compliant++;
  }
  return c;
}


/**
 * A rollout's own page: its waves as a timeline with per-wave progress, the gate with its
 * countdown, who approved what, every cluster, and the operator's buttons. Polls every second
 * while the rollout runs.
 */
export function RolloutView({ initial, canPush, action }: { initial: RolloutProgress; canPush: boolean; action: ControlAction }) {
  const queryClient = useQueryClient();
  const { data = initial } = useQuery({
    queryKey: ["rollout", initial.id],
    queryFn: () => fetchJson<RolloutProgress>(`/api/rollouts/${initial.id}`, "rollout"),
    initialData: initial,
    refetchInterval: (query) => (isUnfinished(query.state.data?.state) ? 1000 : false),
  });
  const { state, pending, formProps } = useFormAction<FormState<{ rolloutId?: string }>>(action, idle);
  // Disabled until hydrated: a click before then posted the page natively, and the verb was lost
  // (seen in CI: "Abort and roll back" pressed as the page loaded, and no rollback ran).
  const hydrated = useHydrated();
  const busy = pending || !hydrated;
  useEffect(() => {
    if (state.status === "ok") void queryClient.invalidateQueries({ queryKey: ["rollout", initial.id] });
  }, [state, queryClient, initial.id]);
  const running = isUnfinished(data.state);
  const now = useNow(running);
  const control = data.control;
  const waves = control.waves.length > 0 ? control.waves : [{ name: "all", implicit: false, size: data.counts.total }];
  const strategyWave = (index: number) => data.strategy?.waves[Math.min(index, data.strategy.waves.length - 1)];
  const gate = control.gate;
  const soak = strategyWave(control.current)?.soakSeconds ?? 0;
  const soakLeft = gate?.passingSince ? soak * 1000 - (now - Date.parse(gate.passingSince)) : null;
  const canAct = canPush && running;
  const rollbackId = state.status === "ok" ? state.data?.rolloutId : undefined;

  return (
    <div className="space-y-4">
      <section aria-labelledby="rollout-state" className="card space-y-2 p-4">
        <h2 id="rollout-state" className="font-semibold">
          {data.state === "queued" ? "Waiting for the previous push of this configuration to finish" : data.state === "running" ? `Wave ${control.current + 1} of ${waves.length}: ${waves[control.current]?.name ?? ""} · ${WAVE_PHASE_WORDS[control.phase] ?? control.phase}` : `Rollout ${data.state}`}
        </h2>
        <p role="status" className="text-sm">
          {data.counts.applied + data.counts.removed} of {data.counts.total} clusters done
          {data.counts.failed ? `, ${data.counts.failed} failed` : ""}
          {data.counts.skipped ? `, ${data.counts.skipped} skipped` : ""}
          {data.counts.aborted ? `, ${data.counts.aborted} aborted (never got v${data.version})` : ""}
          {data.counts.superseded ? `, ${data.counts.superseded} superseded by a later push` : ""}
        </p>
        {control.paused ? <p className="text-sm text-amber-900 dark:text-amber-200">Paused by {control.paused.by}: clusters being applied finish, no new cluster starts.</p> : null}
        {control.aborted ? <p className="text-sm text-red-800 dark:text-red-300">Aborted by {control.aborted.by}{control.aborted.rollback ? `, rolling back to ${data.previousVersion === null ? "no version (the objects are removed)" : `v${data.previousVersion}`}` : ""}.</p> : null}
        {running && gate ? (
          <div role={control.phase === "halted" ? "alert" : undefined} className={`rounded-md border p-3 text-sm ${control.phase === "halted" ? "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950" : "border-zinc-200 dark:border-zinc-700"}`}>
            <p className="font-medium">Gate of {waves[control.current]?.name}: {gate.message}</p>
            {soakLeft !== null && soakLeft > 0 ? <p>Soak: every cluster must stay Compliant for {duration(soakLeft)} more.</p> : null}
            {gate.failing.length > 0 ? (
              <ul className="mt-1 list-disc pl-5">
                {gate.failing.map((c) => <li key={c.clusterId}><span className="font-mono">{c.cluster}</span>: {c.state}{c.reason ? ` (${c.reason})` : ""}</li>)}
              </ul>
            ) : null}
          </div>
        ) : null}
        {canAct ? (
          <form {...formProps} className="flex flex-wrap gap-2 pt-1">
            <input type="hidden" name="rolloutId" value={data.id} />
            {control.phase === "approval" ? <button type="submit" name="verb" value="approve" className="btn-primary" disabled={busy}>Approve {waves[control.current + 1]?.name ?? "the next wave"}</button> : null}
            {control.paused || control.phase === "halted" ? (
              <button type="submit" name="verb" value="resume" className="btn-primary" disabled={busy}>{control.phase === "halted" ? "Retry failed clusters and resume" : "Resume"}</button>
            ) : (
              <button type="submit" name="verb" value="pause" className="btn-secondary" disabled={busy}>Pause</button>
            )}
            {control.aborted ? null : (
              <>
                <button type="submit" name="verb" value="abort" className="btn-secondary" disabled={busy}>Abort</button>
                <button type="submit" name="verb" value="abort-rollback" className="btn-danger" disabled={busy}>
                  Abort and roll back{data.previousVersion === null ? "" : ` to v${data.previousVersion}`}
                </button>
              </>
            )}
          </form>
        ) : null}
        <FormMessage state={state} />
        {rollbackId ? <p className="text-sm"><a className="text-sky-800 underline dark:text-sky-300" href={`/rollouts/${rollbackId}`}>Follow the rollback</a></p> : null}
      </section>

      <section aria-labelledby="waves" className="card p-4">
        <h2 id="waves" className="mb-3 font-semibold">Waves</h2>
        <ol className="space-y-3">
          {waves.map((wave, index) => {
            const rows = data.clusters.filter((row) => row.wave === index);
            const c = countWave(rows, data.version);
            const settings = strategyWave(index);
            const isCurrent = running && index === control.current;
            const isDone = !running || index < control.current;
            const approval = control.approvals.find((a) => a.wave === index);
            const word = isCurrent ? WAVE_PHASE_WORDS[control.phase] ?? control.phase : isDone ? (data.state === "aborted" && index >= control.current ? "aborted" : "done") : "not started";
            return (
              <li key={wave.name} aria-current={isCurrent ? "step" : undefined} className={`rounded-md border p-3 ${isCurrent ? "border-sky-600" : "border-zinc-200 dark:border-zinc-700"}`}>
                <p className="flex flex-wrap items-center gap-2">
                  <span className="font-semibold">{index + 1}. {wave.name}</span>
                  <Badge tone={isCurrent ? (control.phase === "halted" ? "red" : "blue") : isDone ? "green" : "neutral"} icon={isCurrent ? (control.phase === "halted" ? "✕" : "▶") : isDone ? "✓" : "…"}>{word}</Badge>
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">
                    {wave.size} cluster{wave.size === 1 ? "" : "s"}
                    {settings ? ` · ${settings.concurrency} at a time · soak ${settings.soakSeconds} s · ${settings.approval === "auto" ? "next wave starts by itself" : settings.approval === "operator" ? "an operator approves the next wave" : "a second person approves the next wave"}` : ""}
                    {wave.implicit ? " · targets no wave took" : ""}
                  </span>
                </p>
                <p className="mt-1 text-sm" data-testid={`wave-${index}-counts`}>
                  {c.pending} pending · {c.applying} applying · {c.applied} applied · {c.compliant} Compliant · {c.failed} failed{c.out ? ` · ${c.out} skipped or superseded` : ""}
                </p>
                {approval ? <p className="text-xs text-zinc-600 dark:text-zinc-400">Next wave approved by {approval.by} at {approval.at.slice(0, 19).replace("T", " ")} UTC</p> : null}
              </li>
            );
          })}
        </ol>
      </section>

      <section aria-labelledby="clusters" className="card p-4">
        <h2 id="clusters" className="mb-2 font-semibold">Clusters</h2>
        <table className="table-dense">
          <thead>
            <tr><th scope="col">Cluster</th><th scope="col">Wave</th><th scope="col">Push</th><th scope="col">Status</th><th scope="col">Reason</th>{canAct ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr>
          </thead>
          <tbody>
            {[...data.clusters].sort((a, b) => a.wave - b.wave || a.clusterName.localeCompare(b.clusterName)).map((row) => {
              const b = STATE_BADGE[row.state] ?? STATE_BADGE.pending!;
              const skippable = ["pending", "failed", "interrupted", "applied"].includes(row.state);
              return (
                <tr key={row.clusterId}>
                  <td className="font-mono text-xs">{row.clusterName}</td>
                  <td className="text-xs">{waves[row.wave]?.name ?? row.wave + 1}</td>
                  <td><Badge tone={b.tone} icon={b.icon}>{row.state}</Badge></td>
                  <td className="text-xs">{row.compliance ? `${row.compliance}${row.appliedVersion !== null ? ` (v${row.appliedVersion})` : ""}` : "—"}</td>
                  <td className="max-w-md text-xs">{row.reason}</td>
                  {canAct ? (
                    <td>
                      {skippable ? (
                        <form {...formProps}>
                          <input type="hidden" name="rolloutId" value={data.id} />
                          <input type="hidden" name="clusterId" value={row.clusterId} />
                          <button type="submit" name="verb" value="skip" className="text-xs text-sky-800 underline dark:text-sky-300" disabled={busy} aria-label={`Skip ${row.clusterName}`}>Skip</button>
                        </form>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </div>
  );
}
