import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterInput, FilterSelect, plainOptions } from "@/components/ui/filter-controls";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Time } from "@/components/ui/time";
import { AUDIT_OUTCOMES } from "@/db/enums";
import { requirePageAccess } from "@/lib/auth/current";
import { AUDIT_PAGE_SIZE, auditFilterSchema, distinctAuditActions, listAudit, type AuditFilter } from "@/lib/queries/audit";

export const metadata: Metadata = { title: "Audit log" };

const OUTCOME_STYLE: Record<string, string> = {
  success: "text-emerald-800 dark:text-emerald-300",
  denied: "text-red-800 dark:text-red-300",
  invalid: "text-amber-800 dark:text-amber-300",
  failed: "text-red-800 dark:text-red-300",
};

function query(f: AuditFilter, page?: number) {
  const params = new URLSearchParams();
  for (const key of ["actor", "action", "target", "outcome"] as const) {
    const v = f[key];
    if (v) params.set(key, v);
  }
  if (page && page > 1) params.set("page", String(page));
  const s = params.toString();
  return s ? `?${s}` : "";
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  await requirePageAccess("audit.read");
  const filter = auditFilterSchema.parse(await searchParams);
  const { rows, total } = listAudit(filter);
  const actions = distinctAuditActions();
  const isFiltered = Boolean(filter.actor || filter.action || filter.target || filter.outcome);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change and every refused attempt: who, what, target, outcome and when. Secrets are redacted before they are written."
        actions={
          <a className="btn-secondary" href={`/api/audit/export${query(filter)}`} download>
            Export CSV
          </a>
        }
      />
      <form method="get" className="card mb-4 grid gap-3 p-3 sm:grid-cols-5" role="search" aria-label="Filter the audit log">
        <FilterInput id="actor" name="actor" label="Actor" defaultValue={filter.actor} placeholder="email" />
        <div>
          <FilterInput id="action" name="action" label="Action" defaultValue={filter.action} placeholder="e.g. user." list="audit-actions" />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <FilterInput id="target" name="target" label="Target" defaultValue={filter.target} placeholder="name, id or type" />
        <FilterSelect id="outcome" name="outcome" label="Outcome" defaultValue={filter.outcome} options={plainOptions(AUDIT_OUTCOMES)} />
        <div className="flex items-end gap-2">
          <button type="submit" className="btn-primary">Filter</button>
          {isFiltered ? <a href="/audit" className="btn-secondary">Clear</a> : null}
        </div>
      </form>
      {rows.length === 0 ? (
        <EmptyState title={isFiltered ? "No entries match these filters" : "No audit entries yet"}>
          {isFiltered ? "Loosen or clear the filters." : "Sign-ins, changes and refused attempts appear here as they happen."}
        </EmptyState>
      ) : (
        <div className="card overflow-x-auto">
          <table className="table-dense">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="whitespace-nowrap"><Time date={r.at} /></td>
                  <td>
                    {r.actorEmail}
                    {r.actorRole ? <span className="ml-1 text-xs text-zinc-500">({r.actorRole})</span> : null}
                  </td>
                  <td className="font-mono text-xs">{r.action}</td>
                  <td>
                    <span className="text-xs text-zinc-500">{r.targetType}</span> {r.targetId}
                  </td>
                  <td className={`font-medium ${OUTCOME_STYLE[r.outcome] ?? ""}`}>{r.outcome}</td>
                  <td className="max-w-md truncate font-mono text-xs text-zinc-600 dark:text-zinc-400" title={r.details}>
                    {r.details === "{}" ? "" : r.details}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={filter.page} pageSize={AUDIT_PAGE_SIZE} total={total} hrefFor={(p) => `/audit${query(filter, p)}`} />
    </>
  );
}
