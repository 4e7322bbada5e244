import type { Metadata } from "next";
import Link from "@/components/ui/link";
import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { COMPLIANCE_STATES } from "@/db/enums";
import { ComplianceBadge } from "@/components/ui/compliance-badge";
import { complianceByConfiguration, listConfigurations } from "@/lib/queries/configurations";

export const metadata: Metadata = { title: "Configurations" };

export default async function ConfigurationsPage() {
  const { user } = await requirePageAccess("configurations.read");
  const rows = listConfigurations();
  const compliance = complianceByConfiguration();
  const canWrite = can(user.role, "configurations.write");
  return (
    <>
      <PageHeader
        title="Configurations"
        description="GitOps configurations: a source plus the Kustomizations and Helm releases it applies, pushed to clusters by name or label."
        actions={canWrite ? <Link href="/configurations/new" className="btn-primary">Add configuration</Link> : null}
      />
      {rows.length === 0 ? (
        <EmptyState title="No configurations yet" action={canWrite ? { href: "/configurations/new", label: "Add your first configuration" } : undefined}>
          A configuration is written once and pushed to one cluster or to every cluster whose labels match.
          {canWrite ? "" : " Operators and administrators can add them."}
        </EmptyState>
      ) : (
        <div className="card overflow-x-auto">
          <table className="table-dense">
            <caption className="sr-only">Configurations</caption>
            <thead>
              <tr>
                <th scope="col">Configuration</th>
                <th scope="col">Namespace</th>
                <th scope="col">Version</th>
                <th scope="col">Targets</th>
                <th scope="col">Compliance</th>
                <th scope="col">State</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/configurations/${c.id}`} className="font-medium text-sky-800 hover:underline dark:text-sky-300">{c.name}</Link>
                  </td>
                  <td className="font-mono text-xs">{c.namespace}</td>
                  <td>
                    v{c.currentVersion}
                    {c.pushedVersion !== null && c.pushedVersion !== c.currentVersion ? <span className="ml-1 text-xs text-amber-700">(v{c.pushedVersion} pushed)</span> : null}
                    {c.pushedVersion === null ? <span className="ml-1 text-xs text-zinc-500">(not pushed)</span> : null}
                  </td>
                  <td>{c.targetCount}</td>
                  <td>
                    <span className="flex flex-wrap gap-1">
                      {COMPLIANCE_STATES.filter((s) => (compliance.get(c.id)?.[s] ?? 0) > 0).map((s) => (
                        <span key={s} className="inline-flex items-center gap-0.5"><ComplianceBadge state={s} /><span className="text-xs tabular-nums">{compliance.get(c.id)?.[s]}</span></span>
                      ))}
                      {compliance.has(c.id) ? null : <span className="text-xs text-zinc-500">no status yet</span>}
                    </span>
                  </td>
                  <td>{c.isSuspended ? <Badge tone="grey" icon="‖">Suspended</Badge> : <Badge tone="blue" icon="⟳">Active</Badge>}</td>
                  <td><Time date={c.updatedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
