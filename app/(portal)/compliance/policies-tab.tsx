import Link from "@/components/ui/link";
import { Badge } from "@/components/ui/badges";
import { ClusterPolicies, ENGINE_NAMES, STATE_BADGES } from "@/components/compliance/cluster-policies";
import { EmptyState } from "@/components/ui/empty-state";
import { Time } from "@/components/ui/time";
import { POLICY_ENGINES, POLICY_SEVERITIES } from "@/db/enums";
import { policyFilter, POLICY_STATES, type PolicyParams, type PolicyState } from "@/lib/policy/filter";
import { Pagination } from "@/components/ui/pagination";
import { clusterPolicies, policyCells, policyView, type ClusterPolicyRow, type PolicyRow } from "@/lib/policy/queries";
import { queryString } from "@/lib/url";
import { TrendChart } from "@/components/compliance/trend-chart";
import { loadPolicyTrend } from "@/lib/policy/trend";


// Clusters per page (the cluster table and the matrix page together), and policy columns shown.
const PAGE_SIZE = 50;
const MATRIX_COLUMNS = 30;

function Filters({ params, labelsError }: { params: PolicyParams; labelsError?: string }) {
  const select = (name: keyof PolicyParams, label: string, options: readonly string[], names: Record<string, string> = {}) => (
    <label className="text-sm">
      <span className="block font-medium">{label}</span>
      <select name={name} defaultValue={params[name] ?? ""} className="input">
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {names[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form method="get" action="/compliance" className="card flex flex-wrap items-end gap-3 p-3" aria-label="Policy filters">
      <input type="hidden" name="tab" value="policies" />
      {select("engine", "Engine", POLICY_ENGINES, ENGINE_NAMES)}
      {select("severity", "Severity", POLICY_SEVERITIES)}
      {select("state", "State", POLICY_STATES, Object.fromEntries(POLICY_STATES.map((s) => [s, STATE_BADGES[s].label])))}
      <label className="text-sm">
        <span className="block font-medium">Cluster labels</span>
        <input name="labels" defaultValue={params.labels ?? ""} placeholder="env=prod" className="input font-mono" aria-invalid={Boolean(labelsError)} aria-describedby={labelsError ? "labels-error" : undefined} />
      </label>
      <button type="submit" className="btn-secondary">Filter</button>
      {labelsError ? (
        <p id="labels-error" role="alert" className="w-full text-sm text-red-700 dark:text-red-400">
          Cluster labels: {labelsError}
        </p>
      ) : null}
    </form>
  );
}

const CELL_ICONS: Record<PolicyState, string> = { fail: "✕", stale: "⏱", "not-audited": "?", accepted: "⚑", pass: "✓" };
const CELL_TONES: Record<PolicyState, string> = {
  fail: "text-red-700 dark:text-red-400",
  stale: "text-amber-700 dark:text-amber-400",
  "not-audited": "text-zinc-500",
  accepted: "text-sky-700 dark:text-sky-300",
  pass: "text-emerald-700 dark:text-emerald-400",
};

/** Clusters (this page of them) × policies (most failing first): each cell the state, as an icon with its word for screen readers. */
function PolicyMatrix({ rows, policies, more, cells, link }: { rows: ClusterPolicyRow[]; policies: PolicyRow[]; more: number; cells: Map<string, Map<string, PolicyState>>; link: (cluster: string) => string }) {
  return (
    <section aria-labelledby="policy-matrix" className="card overflow-x-auto">
      <h2 id="policy-matrix" className="p-3 font-semibold">
        Clusters × policies
      </h2>
      <p className="px-3 pb-2 text-xs text-zinc-600 dark:text-zinc-400">
        {Object.entries(STATE_BADGES)
          .map(([state, b]) => `${CELL_ICONS[state as PolicyState]} ${b.label}`)
          .join(" · ")}{" "}
        · blank: not reported by that cluster{more > 0 ? ` · ${more} more polic${more === 1 ? "y" : "ies"} not shown: filter by engine, severity or state` : ""}
      </p>
      <table className="table-dense" data-testid="policy-matrix">
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            {policies.map((p) => (
              <th key={p.key} scope="col" className="max-w-[8rem] align-bottom font-mono text-xs font-normal" title={p.policy}>
                <span className="block truncate">{p.policy.length > 40 ? `${p.policy.slice(0, 39)}…` : p.policy}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const own = cells.get(r.id);
            return (
              <tr key={r.id}>
                <th scope="row" className="font-mono text-xs font-normal">
                  <Link href={link(r.id)} className="underline">
                    {r.name}
                  </Link>
                </th>
                {policies.map((p) => {
                  const state = own?.get(p.key);
                  return (
                    <td key={p.key} className={`text-center ${state ? CELL_TONES[state] : ""}`}>
                      {state ? (
                        <>
                          <span aria-hidden="true">{CELL_ICONS[state]}</span>
                          <span className="sr-only">{STATE_BADGES[state].label}</span>
                        </>
                      ) : (
                        <span className="sr-only">not reported</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** Policy compliance beside the GitOps view: one row per cluster (both together, worst first), one cluster's violations, and every policy across the fleet. */
export function PoliciesTab({ params, canWaive }: { params: PolicyParams; canWaive: boolean }) {
  const { filter, labelsError } = policyFilter(params);
  const { clusters: rows, policies } = policyView(filter);
  const selected = params.cluster ? rows.find((r) => r.id === params.cluster) : undefined;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Number.parseInt(params.page ?? "1", 10) || 1));
  const pageRows = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const filters = { engine: params.engine, severity: params.severity, state: params.state, labels: params.labels };
  const link = (cluster: string) => `/compliance${queryString({ tab: "policies", ...filters, cluster, page: page > 1 ? String(page) : undefined })}`;
  const pageHref = (n: number) => `/compliance${queryString({ tab: "policies", ...filters, page: n > 1 ? String(n) : undefined })}`;
  const exportHref = (format: "csv" | "json") => `/api/compliance/policies/export${queryString({ format, ...filters })}`;
  const failing = rows.filter((r) => r.policies.fail > 0).length;
  const stale = rows.filter((r) => r.policies.fail === 0 && r.policies.stale > 0).length;
  const accepted = rows.filter((r) => r.policies.fail === 0 && r.policies.accepted > 0).length;
  return (
    <div className="space-y-4">
      <Filters params={params} labelsError={labelsError} />
      <p className="text-sm" data-testid="policy-summary">
        {failing} of {rows.length} cluster{rows.length === 1 ? "" : "s"} fail a policy; {stale} more have only stale audits; {accepted} more pass only with an accepted risk.
      </p>
      <p className="flex gap-3 text-sm">
        <span>Export every cluster × policy with these filters:</span>
        <a href={exportHref("csv")} className="underline" download>
          CSV
        </a>
        <a href={exportHref("json")} className="underline" download>
          JSON
        </a>
      </p>
      {rows.length === 0 ? (
        <EmptyState title="No clusters match">Change the filters, or register a cluster.</EmptyState>
      ) : (
        <section aria-labelledby="policy-clusters" className="card overflow-x-auto">
          <h2 id="policy-clusters" className="p-3 font-semibold">
            Clusters: GitOps and policies, worst first
          </h2>
          <table className="table-dense">
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                <th scope="col">GitOps</th>
                <th scope="col">Policies failing</th>
                <th scope="col">Stale</th>
                <th scope="col">Not audited</th>
                <th scope="col">Accepted risk</th>
                <th scope="col">Passing</th>
                <th scope="col">Violations</th>
                <th scope="col">Read</th>
              </tr>
            </thead>
            <tbody>
              {pageRows.map((r) => (
                <tr key={r.id} aria-current={r.id === params.cluster ? "true" : undefined}>
                  <td>
                    <Link href={link(r.id)} className="font-mono underline">
                      {r.name}
                    </Link>
                  </td>
                  <td className="text-xs">
                    {r.gitops.Compliant} compliant
                    {r.gitops["Non-Compliant"] ? `, ${r.gitops["Non-Compliant"]} non-compliant` : ""}
                    {r.gitops.Unknown ? `, ${r.gitops.Unknown} unknown` : ""}
                    {r.gitops.Pending ? `, ${r.gitops.Pending} pending` : ""}
                  </td>
                  <td>{r.policies.fail > 0 ? <Badge tone="red" icon="✕">{r.policies.fail}</Badge> : 0}</td>
                  <td>{r.policies.stale}</td>
                  <td>{r.policies["not-audited"]}</td>
                  <td>{r.policies.accepted}</td>
                  <td>{r.policies.pass}</td>
                  <td>
                    {r.violations}
                    {r.warnings ? ` (+${r.warnings} warnings)` : ""}
                  </td>
                  <td className="text-xs">{r.readError ? <span className="text-red-700 dark:text-red-400">failed: {r.readError}</span> : <Time date={r.readAt} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {rows.length > PAGE_SIZE ? <Pagination page={page} pageSize={PAGE_SIZE} total={rows.length} hrefFor={pageHref} /> : null}
      {pageRows.length > 0 && policies.length > 0 ? <PolicyMatrix rows={pageRows} policies={policies.slice(0, MATRIX_COLUMNS)} more={Math.max(0, policies.length - MATRIX_COLUMNS)} cells={policyCells(filter, pageRows.map((r) => r.id))} link={link} /> : null}
      {selected ? <ClusterPolicies name={selected.name} policies={clusterPolicies(selected.id)} canWaive={canWaive} /> : null}
      <TrendChart trend={{ fleet: loadPolicyTrend(), assignments: [] }} />
      {policies.length > 0 ? (
        <section aria-labelledby="policy-fleet" className="card overflow-x-auto">
          <h2 id="policy-fleet" className="p-3 font-semibold">
            Policies across the fleet
          </h2>
          <table className="table-dense">
            <thead>
              <tr>
                <th scope="col">Policy</th>
                <th scope="col">Engine</th>
                <th scope="col">Severity</th>
                <th scope="col">Clusters failing</th>
                <th scope="col">Stale</th>
                <th scope="col">Accepted risk</th>
                <th scope="col">Passing</th>
                <th scope="col">Violations</th>
              </tr>
            </thead>
            <tbody>
              {policies.map((p) => (
                <tr key={`${p.engine}/${p.policy}`}>
                  <td className="font-mono text-xs">{p.policy}</td>
                  <td className="text-xs">{ENGINE_NAMES[p.engine]}</td>
                  <td>{p.severity ?? "—"}</td>
                  <td>{p.clusters.fail}</td>
                  <td>{p.clusters.stale}</td>
                  <td>{p.clusters.accepted}</td>
                  <td>{p.clusters.pass}</td>
                  <td>{p.violations}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
