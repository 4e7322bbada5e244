import type { Metadata } from "next";
import Link from "@/components/ui/link";
import { FluxBadge, HealthBadge, LabelChips, LimitedAccessBadge, ReconcilerBadge, StaleBadge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterInput, FilterSelect } from "@/components/ui/filter-controls";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { SortHeader } from "@/components/ui/sort-header";
import { Time } from "@/components/ui/time";
import { requirePageAccess } from "@/lib/auth/current";
import { can } from "@/lib/auth/permissions";
import { CLUSTER_PAGE_SIZE, DEFAULT_CLUSTER_SORT, clusterFilterSchema, listClusters, type ClusterFilter } from "@/lib/queries/clusters";
import { queryString } from "@/lib/url";

export const metadata: Metadata = { title: "Clusters" };

function href(f: ClusterFilter, overrides: Partial<ClusterFilter> = {}) {
  const m = { ...f, ...overrides };
  return `/clusters${queryString({ q: m.q, label: m.label, health: m.health, flux: m.flux, reconciler: m.reconciler, sort: m.sort === DEFAULT_CLUSTER_SORT ? undefined : m.sort, dir: m.dir === "asc" ? undefined : m.dir, page: m.page > 1 ? m.page : undefined })}`;
}

export default async function ClustersPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const { user } = await requirePageAccess("clusters.read");
  const params = await searchParams;
  const filter = clusterFilterSchema.parse(params);
  const { rows, total } = listClusters(filter);
  const isFiltered = Boolean(filter.q || filter.label || filter.health || filter.flux || filter.reconciler);
  const canRegister = can(user.role, "clusters.register");
  const sortLink = (sort: string, dir: "asc" | "desc") => href(filter, { sort: sort as ClusterFilter["sort"], dir, page: 1 });
  return (
    <>
      <PageHeader
        title="Clusters"
        description="Every Kubernetes cluster Fleetline pushes configurations to, with its health and reconciler."
        actions={canRegister ? <Link href="/clusters/new" className="btn-primary">Register cluster</Link> : null}
      />
      {params.deleted ? (
        <p role="status" className="mb-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
          Cluster {params.deleted} was deleted.
        </p>
      ) : null}
      <form method="get" role="search" aria-label="Filter clusters" className="card mb-4 grid gap-3 p-3 sm:grid-cols-6">
        <div className="sm:col-span-2">
          <FilterInput id="q" name="q" label="Search" defaultValue={filter.q} placeholder="name" />
        </div>
        <FilterInput id="label" name="label" label="Label" defaultValue={filter.label} placeholder="env=prod" mono />
        <FilterSelect id="health" name="health" label="Health" defaultValue={filter.health} options={[{ value: "reachable", label: "Reachable" }, { value: "unreachable", label: "Unreachable" }, { value: "unknown", label: "Unknown" }]} />
        <FilterSelect id="flux" name="flux" label="Flux" defaultValue={filter.flux} options={[{ value: "installed", label: "Installed" }, { value: "missing", label: "Not installed" }]} />
        <FilterSelect id="reconciler" name="reconciler" label="Reconciler" defaultValue={filter.reconciler} options={[{ value: "flux", label: "Flux" }, { value: "argocd", label: "Argo CD" }, { value: "none", label: "None" }]} />
        <div className="flex items-end gap-2 sm:col-span-6">
          <button type="submit" className="btn-primary">Apply filters</button>
          {isFiltered ? <Link href="/clusters" className="btn-secondary">Clear</Link> : null}
        </div>
      </form>
      {rows.length === 0 ? (
        isFiltered ? (
          <EmptyState title="No clusters match these filters">Loosen or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No clusters registered yet" action={canRegister ? { href: "/clusters/new", label: "Register your first cluster" } : undefined}>
            Register a cluster with a kubeconfig, or an API server URL and a token. Fleetline checks the connection, then
            keeps checking its health and finds its reconciler (Flux or Argo CD).
            {canRegister ? null : " Ask an administrator to register one."}
          </EmptyState>
        )
      ) : (
        <div className="card max-h-[70vh] overflow-auto">
          <table className="table-dense">
            <caption className="sr-only">Clusters</caption>
            <thead>
              <tr>
                <SortHeader label="Cluster" column="name" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
                <th scope="col">Labels</th>
                <SortHeader label="Health" column="health" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
                <SortHeader label="Kubernetes" column="version" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
                <th scope="col">Reconciler</th>
                <SortHeader label="Last seen" column="lastSeen" sort={filter.sort} dir={filter.dir} hrefFor={sortLink} />
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td className="min-w-36">
                    <Link href={`/clusters/${c.id}`} className="font-medium text-sky-800 hover:underline dark:text-sky-300">
                      {c.name}
                    </Link>
                    {c.displayName !== c.name ? <div className="text-xs text-zinc-500">{c.displayName}</div> : null}
                  </td>
                  <td><LabelChips labels={c.labels} /></td>
                  <td>
                    <div className="flex flex-wrap gap-1">
                      <HealthBadge state={c.health?.state} reason={c.health?.reason} lastSeenAt={c.health?.lastSeenAt} />
                      <StaleBadge lastSeenAt={c.health?.lastSeenAt} checkedAt={c.health?.checkedAt} />
                      <LimitedAccessBadge reasonKind={c.health?.reasonKind} reason={c.health?.reason} />
                    </div>
                    {c.health?.state === "unreachable" && c.health.reason ? (
                      <div className="mt-0.5 max-w-xs truncate text-xs text-red-800 dark:text-red-300" title={c.health.reason}>{c.health.reason}</div>
                    ) : null}
                  </td>
                  <td className="font-mono text-xs">{c.health?.kubernetesVersion ?? "—"}</td>
                  <td>
                    <div className="flex flex-wrap gap-1">
                      <ReconcilerBadge reconciler={c.reconciler} version={c.reconciler === "flux" ? c.health?.fluxVersion : c.reconciler === "argocd" ? c.health?.argoVersion : null} />
                      {c.reconciler !== "flux" ? <FluxBadge installed={c.health?.fluxInstalled} version={c.health?.fluxVersion} /> : null}
                    </div>
                  </td>
                  <td className="whitespace-nowrap"><Time date={c.health?.lastSeenAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={filter.page} pageSize={CLUSTER_PAGE_SIZE} total={total} hrefFor={(p) => href(filter, { page: p })} />
    </>
  );
}
