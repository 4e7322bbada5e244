import { Badge } from "@/components/ui/badges";
import { LongText } from "@/components/ui/long-text";
import { Time } from "@/components/ui/time";
import type { PolicyEngine } from "@/db/enums";
import Link from "@/components/ui/link";
import type { ClusterPolicyDetail, PolicyState } from "@/lib/policy/queries";
import { queryString } from "@/lib/url";

export const ENGINE_NAMES: Record<PolicyEngine, string> = { gatekeeper: "Gatekeeper", policyreport: "Policy reports (wgpolicyk8s.io)", openreports: "OpenReports" };
export const STATE_BADGES: Record<PolicyState, { tone: "red" | "amber" | "grey" | "green" | "blue"; icon: string; label: string }> = {
  fail: { tone: "red", icon: "✕", label: "Failing" },
  stale: { tone: "amber", icon: "⏱", label: "Stale audit" },
  "not-audited": { tone: "grey", icon: "?", label: "Not audited yet" },
  accepted: { tone: "blue", icon: "⚑", label: "Accepted risk" },
  pass: { tone: "green", icon: "✓", label: "Passing" },
};

export function PolicyStateBadge({ state }: { state: PolicyState }) {
  const b = STATE_BADGES[state];
  return (
    <Badge tone={b.tone} icon={b.icon}>
      {b.label}
    </Badge>
  );
}

type WaiverTarget = { engine: string; policy: string; resourceKind?: string | null; resourceNamespace?: string | null; resourceName?: string | null };

/** The Risk acceptances tab with the request form filled in for this policy (or one resource). */
export const waiverHref = (t: WaiverTarget) =>
  `/compliance${queryString({ tab: "waivers", engine: t.engine, policy: t.policy, resourceKind: t.resourceKind ?? undefined, resourceNamespace: t.resourceNamespace ?? undefined, resourceName: t.resourceName ?? undefined })}`;

const day = (d: Date) => d.toISOString().slice(0, 10);

/** One cluster's policies, failing first, each with the violations kept for it. */
export function ClusterPolicies({ name, policies, canWaive = false }: { name: string; policies: ClusterPolicyDetail[]; canWaive?: boolean }) {
  return (
    <section aria-labelledby="cluster-policies" className="card space-y-3 p-4">
      <h2 id="cluster-policies" className="font-semibold">
        Policies on {name}
      </h2>
      {policies.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No policy results from this cluster: no Gatekeeper constraints or policy reports were found.</p>
      ) : (
        <ul className="space-y-2">
          {policies.map((p) => {
            const total = p.fail + p.error + p.warn;
            return (
              <li key={`${p.engine}/${p.policy}`} className="rounded border border-zinc-200 p-2 dark:border-zinc-700">
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <PolicyStateBadge state={p.state} />
                  <span className="font-mono [overflow-wrap:anywhere]">{p.policy}</span>
                  <span className="text-zinc-600 dark:text-zinc-400">
                    {ENGINE_NAMES[p.engine]}
                    {p.severity ? ` · ${p.severity}` : ""}
                    {p.enforcementAction ? ` · ${p.enforcementAction}` : ""} · {p.fail} failing, {p.warn} warning, {p.pass} passing · audited <Time date={p.auditedAt} />
                  </span>
                  {p.acceptedBy ? <span className="text-xs">accepted until {day(new Date(p.acceptedBy.expiresAt.getTime() - 1))}</span> : null}
                  {canWaive && p.state === "fail" ? (
                    <Link href={waiverHref(p)} className="text-xs underline">
                      Accept risk…
                    </Link>
                  ) : null}
                </div>
                {p.shown.length > 0 ? (
                  <details className="mt-1">
                    <summary className="cursor-pointer text-sm">
                      Violations{total > p.shown.length ? ` (showing ${p.shown.length} of ${total}: the engine or Fleetline keeps only the first)` : ` (${p.shown.length})`}
                    </summary>
                    <table className="table-dense mt-1">
                      <caption className="sr-only">Violations of {p.policy}</caption>
                      <thead>
                        <tr>
                          <th scope="col">Object</th>
                          <th scope="col">Result</th>
                          <th scope="col">Message</th>
                        </tr>
                      </thead>
                      <tbody>
                        {p.shown.map((v) => (
                          <tr key={v.ordinal}>
                            <td className="font-mono text-xs">
                              {v.resourceKind ?? "?"} {v.resourceNamespace ? `${v.resourceNamespace}/` : ""}
                              {v.resourceName ?? "?"}
                            </td>
                            <td>
                              {v.result}
                              {v.rule ? ` (${v.rule})` : ""}
                              {v.acceptedBy ? (
                                <span className="ml-1">
                                  <PolicyStateBadge state="accepted" />
                                </span>
                              ) : canWaive && v.resourceName && (v.result === "fail" || v.result === "error") ? (
                                <Link href={waiverHref({ ...v, policy: p.policy })} className="ml-1 text-xs underline" aria-label={`Accept the risk of ${v.resourceKind ?? ""} ${v.resourceName}`}>
                                  accept…
                                </Link>
                              ) : null}
                            </td>
                            <td>
                              <LongText text={v.message} limit={120} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </details>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

