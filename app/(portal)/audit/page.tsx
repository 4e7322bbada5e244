import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterInput, FilterSelect, plainOptions } from "@/components/ui/filter-controls";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Time } from "@/components/ui/time";
import { AUDIT_OUTCOMES } from "@/db/enums";
import { requirePageAccess } from "@/lib/auth/current";
import { auditSummary, auditTargetName, readableDetails } from "@/lib/audit-words";
import { AUDIT_PAGE_SIZE, auditFilterSchema, auditNames, distinctAuditActions, listAudit, type AuditFilter } from "@/lib/queries/audit";

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
  const names = auditNames(rows);
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
        <div className="card">
          <table className="table-dense table-fit">
            <caption className="sr-only">Audit log</caption>
            <thead>
              <tr>
                <th scope="col" className="w-[11%]">When</th>
                <th scope="col" className="w-[20%]">Actor</th>
                <th scope="col" className="w-[17%]">Target</th>
                <th scope="col" className="w-[10%]">Outcome</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const details = readableDetails(r.details, names);
                return (
                  <tr key={r.id}>
                    <td data-label="When"><Time date={r.at} /></td>
                    <td data-label="Actor">
                      {r.actorEmail}
                      {r.actorRole ? <span className="ml-1 text-xs text-zinc-500">({r.actorRole})</span> : null}
                    </td>
                    <td data-label="Target">
                      <span className="text-xs text-zinc-500">{r.targetType}</span> <span title={r.targetId ?? undefined}>{auditTargetName(r, names)}</span>
                    </td>
                    <td data-label="Outcome" className={`font-medium ${OUTCOME_STYLE[r.outcome] ?? ""}`}>{r.outcome}</td>
                    <td data-label="What happened">
                      <span>{auditSummary(r, names)}</span> <span className="font-mono text-xs text-zinc-500">{r.action}</span>
                      {details ? (
                        <details className="mt-1">
                          <summary className="cursor-pointer text-xs text-sky-800 dark:text-sky-300">Details</summary>
                          <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap rounded bg-zinc-50 p-2 font-mono text-xs [overflow-wrap:anywhere] dark:bg-zinc-950">{details}</pre>
                        </details>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={filter.page} pageSize={AUDIT_PAGE_SIZE} total={total} hrefFor={(p) => `/audit${query(filter, p)}`} />
    </>
  );
}
