import Link from "@/components/ui/link";
import { Badge } from "@/components/ui/badges";
import { ClusterPolicies, ENGINE_NAMES, STATE_BADGES } from "@/components/compliance/cluster-policies";
import { EmptyState } from "@/components/ui/empty-state";
import { Time } from "@/components/ui/time";
import { POLICY_ENGINES, POLICY_SEVERITIES, type PolicyEngine, type PolicySeverity } from "@/db/enums";
import { parseLabelsText } from "@/lib/inventory/cluster-input";
import { clusterPolicies, clusterPolicyRows, policyRows, POLICY_STATES, type PolicyFilter, type PolicyState } from "@/lib/policy/queries";
import { queryString } from "@/lib/url";

export type PolicyParams = { engine?: string; severity?: string; state?: string; labels?: string; cluster?: string };

/** The page's filters from its URL; a label list that does not parse is reported, not applied. */
export function policyFilter(params: PolicyParams): { filter: PolicyFilter; labelsError?: string } {
  const filter: PolicyFilter = {};
  if ((POLICY_ENGINES as readonly string[]).includes(params.engine ?? "")) filter.engine = params.engine as PolicyEngine;
  if ((POLICY_SEVERITIES as readonly string[]).includes(params.severity ?? "")) filter.severity = params.severity as PolicySeverity;
  if ((POLICY_STATES as readonly string[]).includes(params.state ?? "")) filter.state = params.state as PolicyState;
  if (params.labels?.trim()) {
    const parsed = parseLabelsText(params.labels);
    if (!parsed.ok) return { filter, labelsError: parsed.message };
    filter.labels = parsed.labels;
  }
  return { filter };
}

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

/** Policy compliance beside the GitOps view: one row per cluster (both together, worst first), one cluster's violations, and every policy across the fleet. */
export function PoliciesTab({ params, canWaive }: { params: PolicyParams; canWaive: boolean }) {
  const { filter, labelsError } = policyFilter(params);
  const rows = clusterPolicyRows(filter);
  const policies = policyRows(filter);
  const selected = params.cluster ? rows.find((r) => r.id === params.cluster) : undefined;
  const link = (cluster: string) => `/compliance${queryString({ tab: "policies", engine: params.engine, severity: params.severity, state: params.state, labels: params.labels, cluster })}`;
  const failing = rows.filter((r) => r.policies.fail > 0).length;
  const stale = rows.filter((r) => r.policies.fail === 0 && r.policies.stale > 0).length;
  const accepted = rows.filter((r) => r.policies.fail === 0 && r.policies.accepted > 0).length;
  return (
    <div className="space-y-4">
      <Filters params={params} labelsError={labelsError} />
      <p className="text-sm" data-testid="policy-summary">
        {failing} of {rows.length} cluster{rows.length === 1 ? "" : "s"} fail a policy; {stale} more have only stale audits; {accepted} more pass only with an accepted risk.
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
              {rows.map((r) => (
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
      {selected ? <ClusterPolicies name={selected.name} policies={clusterPolicies(selected.id)} canWaive={canWaive} /> : null}
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
