import Link from "@/components/ui/link";
import { Badge, ReconcilerBadge } from "@/components/ui/badges";
import { ComplianceBadge } from "@/components/ui/compliance-badge";
import { Revision } from "@/components/ui/revision";
import { FilterInput, FilterSelect, plainOptions } from "@/components/ui/filter-controls";
import { LongText } from "@/components/ui/long-text";
import { RowMenu } from "@/components/ui/row-menu";
import { Time } from "@/components/ui/time";
import { commitUrl, shaOf } from "@/lib/commit-links";
import { plural, revisionDriftText } from "@/lib/words";
import { Pagination } from "@/components/ui/pagination";
import { configurationStatusRows, objectStatusesByCluster, STATUS_PAGE_SIZE, statusPage, type ClusterStatusRow } from "@/lib/queries/configuration-status";
import type { ObjectStatus } from "@/db/schema-status";
import { queryString } from "@/lib/url";
import type { DriftKind } from "@/lib/queries/dashboard";
import { COMPLIANCE_STATES, type ComplianceState } from "@/db/enums";
import { AutoRefresh, ClusterVerbs, FleetVerbs } from "./status-controls";

type Props = { configurationId: string; repoUrl: string | null; canAct: boolean; filter: { state?: string; drift?: string; q?: string; page?: string } };

function DriftBadges({ row, configurationId }: { row: ClusterStatusRow; configurationId: string }) {
  const link = `/configurations/${configurationId}?tab=drift&cluster=${row.clusterId}`;
  return (
    <span className="flex flex-wrap gap-1">
      {row.hasConfigDrift ? <Link href={link}><Badge tone="amber" icon="≠" title={`${row.reconciler === "argocd" ? "Applications" : "Flux objects"} on the cluster differ from what Fleetline pushed`}>Config drift</Badge></Link> : null}
      {row.hasRevisionDrift ? (
        <Link href={link}><Badge tone="amber" icon="↧" title={row.revisionMessage ?? undefined}>{revisionDriftText(row) ?? "Revision drift"}</Badge></Link>
      ) : null}
      {row.hasResourceDrift ? <Link href={link}><Badge tone="amber" icon="✎" title={row.reconciler === "argocd" ? "Objects Argo CD reports OutOfSync with Git" : "Objects changed outside Git"}>{row.resourceDriftCount} resource drift</Badge></Link> : null}
    </span>
  );
}

/** Argo CD's own words behind the compliance state, as Argo CD shows them. */
function ArgoWords({ row }: { row: ClusterStatusRow }) {
  if (row.reconciler !== "argocd" || (!row.argoSync && !row.argoHealth)) return null;
  return (
    <div className="text-xs text-zinc-600 dark:text-zinc-400">
      {row.argoSync ?? "Unknown"} · {row.argoHealth ?? "Unknown"}
      {row.argoOperationPhase ? <span> · operation {row.argoOperationPhase}</span> : null}
    </div>
  );
}

function ObjectsDetails({ objects }: { objects: readonly ObjectStatus[] }) {
  return (
    <details>
      <summary className="cursor-pointer text-xs text-sky-800 dark:text-sky-300">{plural(objects.length, "object")}</summary>
      <ul className="mt-1 space-y-1 text-xs">
        {objects.map((o) => (
          <li key={`${o.kind}/${o.namespace}/${o.name}`}>
            <ComplianceBadge state={o.state} reason={o.reason} /> <span className="font-mono">{o.kind} {o.namespace}/{o.name}</span>
            {o.message ? <span className="block text-zinc-600 dark:text-zinc-400">{o.message}</span> : null}
            {o.inventory?.length ? (
              <details className="ml-4">
                <summary className="cursor-pointer">inventory ({o.inventory.length})</summary>
                <ul className="font-mono">{o.inventory.map((e) => <li key={e.id}>{e.id} <span className="text-zinc-500">{e.v}</span></li>)}</ul>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A reconcile request token: Fleetline writes times; anyone else may write any string. */
function RequestTime({ token }: { token: string }) {
  const date = new Date(token);
  return Number.isNaN(date.getTime()) ? <span className="font-mono">{token}</span> : <Time date={date} />;
}

/** Fetched and applied revision, when it was applied, and the last reconcile request: one cell. */
function RevisionCell({ row: r, repoUrl }: { row: ClusterStatusRow; repoUrl: string | null }) {
  return (
    <dl className="space-y-0.5">
      <div><dt className="inline text-zinc-500">Fetched </dt><dd className="inline"><Revision revision={r.sourceRevision} commitUrl={commitUrl(repoUrl, shaOf(r.sourceRevision))} /></dd></div>
      <div><dt className="inline text-zinc-500">Applied </dt><dd className="inline"><Revision revision={r.appliedRevision} commitUrl={commitUrl(repoUrl, shaOf(r.appliedRevision))} /> <Time date={r.lastAppliedAt} /></dd></div>
      {r.reconcileRequestedAt ? (
        <div className="text-zinc-600 dark:text-zinc-400">
          {r.lastHandledReconcileAt === r.reconcileRequestedAt ? <>Reconcile handled <RequestTime token={r.lastHandledReconcileAt} /></> : <>Reconcile requested <RequestTime token={r.reconcileRequestedAt} />, waiting</>}
        </div>
      ) : r.lastHandledReconcileAt ? (
        <div className="text-zinc-600 dark:text-zinc-400">Last reconcile handled <RequestTime token={r.lastHandledReconcileAt} /></div>
      ) : null}
    </dl>
  );
}

export function StatusTab({ configurationId, repoUrl, canAct, filter }: Props) {
  const state = COMPLIANCE_STATES.includes(filter.state as ComplianceState) ? (filter.state as ComplianceState) : undefined;
  const drift = ["config", "revision", "resource", "any"].includes(filter.drift ?? "") ? (filter.drift as DriftKind) : undefined;
  const search = filter.q?.slice(0, 100) || undefined;
  const pageNumber = statusPage(filter.page);
  // Server-side pages: the counts above cover every target, the table shows one page of the filtered rows.
  const page = configurationStatusRows(configurationId, { state, drift, search, limit: STATUS_PAGE_SIZE, offset: (pageNumber - 1) * STATUS_PAGE_SIZE });
  const objects = objectStatusesByCluster(configurationId, page.rows.map((r) => r.clusterId));
  const hrefFor = (p: number) => `/configurations/${configurationId}${queryString({ state, drift, q: search, page: p > 1 ? p : undefined })}`;
  return (
    <section aria-labelledby="per-cluster" className="space-y-3">
      <AutoRefresh />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="per-cluster" className="font-semibold">Status per cluster</h2>
        {canAct ? <FleetVerbs configurationId={configurationId} /> : null}
      </div>
      <p className="flex flex-wrap gap-2 text-sm">
        {COMPLIANCE_STATES.map((s) => (
          <Link key={s} href={`/configurations/${configurationId}?state=${encodeURIComponent(s)}`} className="inline-flex items-center gap-1">
            <ComplianceBadge state={s} /> <span className="tabular-nums">{page.byState[s]}</span>
          </Link>
        ))}
        {page.source?.error ? <span role="alert" className="text-red-700">Source: {page.source.error}</span> : null}
      </p>
      <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Filter clusters">
        <FilterInput id="q" name="q" label="Cluster" defaultValue={filter.q} />
        <FilterSelect id="state" name="state" label="State" defaultValue={state} options={plainOptions(COMPLIANCE_STATES)} />
        <FilterSelect
          id="drift-filter"
          name="drift"
          label="Drift"
          defaultValue={drift}
          options={[{ value: "any", label: "Drifted" }, { value: "config", label: "Configuration" }, { value: "revision", label: "Revision" }, { value: "resource", label: "Resource" }]}
        />
        <button type="submit" className="btn-secondary">Filter</button>
      </form>
      {page.rows.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {page.total > 0 ? "No cluster on this page: go back to the first page." : state || drift || search ? "No cluster matches these filters." : "No status yet: the collector reports each target within a minute of a push."}
        </p>
      ) : (
        <div className="card">
          <table className="table-dense table-fit">
            <caption className="sr-only">Status per cluster</caption>
            <thead>
              <tr>
                <th scope="col" className="w-[19%]">Cluster</th>
                <th scope="col" className="w-[17%]">Compliance</th>
                <th scope="col">Reason</th>
                <th scope="col" className="w-[19%]">Revision</th>
                <th scope="col" className="w-[13%]">Drift</th>
                {canAct ? <th scope="col" className="w-[7.5rem]"><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr key={r.clusterId}>
                  <td data-label="Cluster">
                    <Link href={`/clusters/${r.clusterId}`} className="font-mono text-xs text-sky-800 hover:underline dark:text-sky-300">{r.clusterName}</Link>
                    <span className="ml-1"><ReconcilerBadge reconciler={r.reconciler} /></span>
                    {r.isStale ? <span className="ml-1"><Badge tone="amber" icon="◷" title={r.lastSeenAt ? `Last seen ${r.lastSeenAt.toISOString()}` : undefined}>Stale</Badge></span> : null}
                    <ObjectsDetails objects={objects.get(r.clusterId) ?? []} />
                  </td>
                  <td data-label="Compliance"><ComplianceBadge state={r.state} reason={r.reason} /><ArgoWords row={r} /><div className="text-xs text-zinc-500">since <Time date={r.stateChangedAt} /></div></td>
                  <td data-label="Reason" className="text-xs"><LongText text={r.reason} detail={r.message} /></td>
                  <td data-label="Revision" className="text-xs">
                    <RevisionCell row={r} repoUrl={repoUrl} />
                  </td>
                  <td data-label="Drift"><DriftBadges row={r} configurationId={configurationId} /></td>
                  {canAct ? (
                    <td data-label="Actions">
                      <RowMenu subject={r.clusterName}>
                        <ClusterVerbs configurationId={configurationId} clusterId={r.clusterId} clusterName={r.clusterName} isArgo={r.reconciler === "argocd"} isSuspended={r.state === "Suspended"} />
                      </RowMenu>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.total > STATUS_PAGE_SIZE ? <Pagination page={pageNumber} pageSize={STATUS_PAGE_SIZE} total={page.total} hrefFor={hrefFor} /> : null}
    </section>
  );
}
