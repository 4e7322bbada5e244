"use client";

import { useQuery } from "@tanstack/react-query";
import { SessionExpiredError, fetchJson } from "@/components/session/fetch-json";
import Link from "@/components/ui/link";
import { Badge, ReconcilerBadge } from "@/components/ui/badges";
import { ComplianceBadge } from "@/components/ui/compliance-badge";
import { Time } from "@/components/ui/time";
import { stateShareCaption } from "./captions";
import type { DashboardData } from "./types";

const STATES = ["Compliant", "Non-Compliant", "Pending", "Suspended", "Unknown"] as const;
const at = (iso: string | null) => (iso ? new Date(iso) : null);

/** The fleet dashboard, refreshed every 5 s from /api/dashboard; the server render is its first frame. */
export function DashboardLive({ initial, drift }: { initial: DashboardData; drift?: string }) {
  const { data = initial, isFetching, error } = useQuery({
    queryKey: ["dashboard", drift ?? "all"],
    queryFn: () => fetchJson<DashboardData>(`/api/dashboard${drift ? `?drift=${drift}` : ""}`, "dashboard"),
    initialData: initial,
    // Never again once the session is gone (the query client is sending the browser to /login).
    refetchInterval: (query) => (query.state.error instanceof SessionExpiredError ? false : 5_000),
  });
  const t = data.totals;
  return (
    <div className="space-y-5">
      <p className="text-xs text-zinc-500" aria-live="polite">
        Last refresh from clusters: <Time date={at(data.lastRefreshAt)} /> {isFetching ? "· updating…" : ""}
        {error ? <span role="alert" className="ml-2 text-red-700">{error.message}</span> : null}
      </p>
      <section aria-labelledby="totals" className="grid grid-cols-2 gap-3 md:grid-cols-5">
        <h2 id="totals" className="sr-only">Totals by state</h2>
        {STATES.map((s) => (
          <div key={s} className="card p-3" data-testid={`total-${s}`}>
            <ComplianceBadge state={s} />
            <p className="mt-2 text-2xl font-semibold tabular-nums">{t.byState[s]}</p>
            <p className="text-xs text-zinc-500">{stateShareCaption(t.byState[s], t.total)}</p>
          </div>
        ))}
      </section>
      <p className="flex flex-wrap gap-2 text-sm">
        <span className="text-zinc-600 dark:text-zinc-400">Drift:</span>
        <Link href="/?drift=config"><Badge tone="amber" icon="≠">{t.drift.config} configuration</Badge></Link>
        <Link href="/?drift=revision"><Badge tone="amber" icon="↧">{t.drift.revision} revision</Badge></Link>
        <Link href="/?drift=resource"><Badge tone="amber" icon="✎">{t.drift.resource} resource</Badge></Link>
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <section aria-labelledby="attention" className="card overflow-x-auto p-4">
          <h2 id="attention" className="mb-2 font-semibold">Clusters needing attention ({data.attention.total})</h2>
          {data.attention.rows.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing needs attention.</p>
          ) : (
            <table className="table-dense">
              <thead>
                <tr><th scope="col">Cluster</th><th scope="col">Non-compliant</th><th scope="col">Unknown</th><th scope="col">Last seen</th></tr>
              </thead>
              <tbody>
                {data.attention.rows.map((r) => (
                  <tr key={r.clusterId}>
                    <td>
                      <Link className="font-medium text-sky-800 hover:underline dark:text-sky-300" href={`/clusters/${r.clusterId}`}>{r.name}</Link>
                      <span className="ml-1"><ReconcilerBadge reconciler={r.reconciler} /></span>
                      {r.isStale ? <span className="ml-1"><Badge tone="amber" icon="◷">Stale</Badge></span> : null}
                      {r.reachability === "unreachable" ? <div className="text-xs text-red-800 dark:text-red-300">{r.reachabilityReason}</div> : null}
                    </td>
                    <td className="tabular-nums">{r.nonCompliant}</td>
                    <td className="tabular-nums">{r.unknown}</td>
                    <td><Time date={at(r.lastSeenAt)} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="worst" className="card overflow-x-auto p-4">
          <h2 id="worst" className="mb-2 font-semibold">Configurations with the most non-compliant clusters</h2>
          {data.mostNonCompliant.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Every configuration is compliant or pending.</p>
          ) : (
            <table className="table-dense">
              <thead><tr><th scope="col">Configuration</th><th scope="col">Non-compliant</th><th scope="col">Targets</th></tr></thead>
              <tbody>
                {data.mostNonCompliant.map((c) => (
                  <tr key={c.configurationId}>
                    <td><Link className="text-sky-800 hover:underline dark:text-sky-300" href={`/configurations/${c.configurationId}`}>{c.name}</Link></td>
                    <td className="tabular-nums">{c.nonCompliant}</td>
                    <td className="tabular-nums">{c.targets}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <section aria-labelledby="timeline" className="card p-4">
        <h2 id="timeline" className="mb-2 font-semibold">Recent changes</h2>
        <ol className="space-y-1 text-sm">
          {data.timeline.map((e, i) => (
            <li key={`${e.type}-${e.at}-${i}`} className="flex flex-wrap items-center gap-2">
              <Time date={at(e.at)} />
              {e.type === "state" ? (
                <>
                  <ComplianceBadge state={e.state} reason={e.reason} />
                  <Link className="font-mono text-xs hover:underline" href={`/configurations/${e.configurationId}`}>{e.configurationName}</Link>
                  <span className="text-xs text-zinc-500">on</span>
                  <Link className="font-mono text-xs hover:underline" href={`/clusters/${e.clusterId}`}>{e.clusterName}</Link>
                  {e.previousState ? <span className="text-xs text-zinc-500">(was {e.previousState})</span> : null}
                </>
              ) : (
                <>
                  <Badge tone="blue" icon="↑">Push</Badge>
                  <Link className="font-mono text-xs hover:underline" href={`/rollouts/${e.rolloutId}`}>{e.configurationName} v{e.version}</Link>
                  <span className="text-xs text-zinc-500">by {e.createdBy} ({e.trigger}, {e.state})</span>
                </>
              )}
            </li>
          ))}
          {data.timeline.length === 0 ? <li className="text-zinc-500">No pushes or state changes yet.</li> : null}
        </ol>
      </section>
    </div>
  );
}
