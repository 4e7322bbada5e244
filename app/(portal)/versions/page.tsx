import type { Metadata } from "next";
import Link from "@/components/ui/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { cut } from "@/components/versions/version-badges";
import { VersionsMatrix } from "@/components/versions/versions-matrix";
import { requirePageAccess } from "@/lib/auth/current";
import { parseVersionsFilter, versionsParams, type VersionsFilter } from "@/lib/versions/filters";
import { versionsView } from "@/lib/versions/queries";

export const metadata: Metadata = { title: "Versions" };

const href = (f: VersionsFilter, extra: Record<string, string | number | undefined> = {}) => {
  const query = versionsParams(f, extra);
  return query ? `/versions?${query}` : "/versions";
};

function Filters({ filter, labelError }: { filter: VersionsFilter; labelError?: string }) {
  const text = (name: keyof VersionsFilter, label: string, placeholder: string, mono = false) => (
    <label className="text-sm">
      <span className="block font-medium">{label}</span>
      <input name={name} defaultValue={(filter[name] as string | undefined) ?? ""} placeholder={placeholder} className={`input ${mono ? "font-mono" : ""}`} aria-invalid={name === "labels" && Boolean(labelError)} />
    </label>
  );
  return (
    <form method="get" action="/versions" role="search" aria-label="Filter versions" className="card mb-4 flex flex-wrap items-end gap-3 p-3">
      <label className="text-sm">
        <span className="block font-medium">Show</span>
        <select name="kind" defaultValue={filter.kind} className="input">
          <option value="images">Images</option>
          <option value="charts">Helm charts</option>
        </select>
      </label>
      {text("image", filter.kind === "charts" ? "Chart" : "Image", "podinfo", true)}
      {text("cluster", "Cluster name", "prod-")}
      {text("labels", "Cluster labels", "env=prod", true)}
      {text("group", "Group clusters by label", "region", true)}
      <label className="text-sm">
        <span className="block font-medium">Only</span>
        <select name="only" defaultValue={filter.only ?? ""} className="input">
          <option value="">Every version</option>
          <option value="behind">Behind the fleet</option>
          <option value="not-in-git">Not what Git says</option>
        </select>
      </label>
      {filter.configuration ? <input type="hidden" name="configuration" value={filter.configuration} /> : null}
      <button type="submit" className="btn-secondary">Filter</button>
      {labelError ? (
        <p role="alert" className="w-full text-sm text-red-700 dark:text-red-400">
          Cluster labels: {labelError}
        </p>
      ) : null}
    </form>
  );
}

/** What runs where: each image (or chart) of Fleetline's configurations on each cluster, marked behind the fleet or not what Git says. */
export default async function VersionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageAccess("compliance.read");
  const filter = parseVersionsFilter(await searchParams);
  const view = versionsView(filter);
  const noun = filter.kind === "charts" ? "chart" : "image";
  const behind = view.summary.filter((s) => s.clustersBehind > 0);
  const notInGit = view.summary.filter((s) => s.clustersNotInGit > 0);
  const exportHref = (format: "csv" | "json") => `/api/versions/export?${versionsParams({ ...filter, cols: 1 }, { format })}`;
  return (
    <>
      <PageHeader
        title="Versions"
        description="The images and Helm charts Fleetline's configurations run on each cluster, as their reconcilers report them. Behind: a newer version of the same image runs elsewhere in the fleet. Not what Git says: the image differs from the manifests at the applied revision."
        actions={
          <>
            <a href={exportHref("csv")} className="btn-secondary" download>Export CSV</a>
            <a href={exportHref("json")} className="btn-secondary" download>Export JSON</a>
          </>
        }
      />
      <Filters filter={filter} {...(view.labelError ? { labelError: view.labelError } : {})} />
      <section aria-label="Summary" className="card mb-4 p-3 text-sm" data-testid="versions-summary">
        {behind.length === 0 ? (
          <p>{view.summary.length === 0 ? `No ${noun}s recorded for the clusters in view.` : `Every cluster in view runs the newest ${noun} versions in the fleet.`}</p>
        ) : (
          <ul className="space-y-1">
            {behind.slice(0, 10).map((s) => (
              <li key={s.name}>
                <Link href={href({ ...filter, image: s.name, only: "behind", cols: 1 })} className="text-sky-800 hover:underline dark:text-sky-300" title={s.name}>
                  {s.clustersBehind} of {s.clustersRunning} cluster{s.clustersRunning === 1 ? "" : "s"} run an older <span className="font-mono">{cut(s.shortName, 60)}</span> than the newest in the fleet{s.newest ? <> (<span className="font-mono">{cut(s.newest, 40)}</span>)</> : null}
                </Link>
              </li>
            ))}
            {behind.length > 10 ? <li className="text-zinc-500">and {behind.length - 10} more {noun}s with clusters behind</li> : null}
          </ul>
        )}
        {notInGit.length > 0 ? (
          <p className="mt-2">
            <Link href={href({ ...filter, only: "not-in-git", cols: 1 })} className="text-sky-800 hover:underline dark:text-sky-300">
              {notInGit.reduce((n, s) => n + s.clustersNotInGit, 0)} image placement{notInGit.length === 1 ? "" : "s"} differ from what Git says
            </Link>
          </p>
        ) : null}
      </section>
      {view.rows.length === 0 ? (
        <EmptyState title={`No ${noun}s to show`}>
          {filter.only || filter.image || filter.cluster || filter.labels ? "Change the filters." : "Versions are read from each cluster every few minutes once a configuration is pushed."}
        </EmptyState>
      ) : (
        <>
          <VersionsMatrix view={view} kindLabel={filter.kind === "charts" ? "Chart" : "Image"} />
          <nav aria-label="Cluster columns" className="mt-3 flex items-center gap-3 text-sm">
            <span>
              Clusters {(view.page - 1) * view.columns.length + (view.columns.length > 0 ? 1 : 0)}–{(view.page - 1) * view.columns.length + view.columns.length} of {view.totalColumns}
              {view.clustersInScope > view.totalColumns ? ` (${view.clustersInScope - view.totalColumns} more in scope run none of these)` : ""}
            </span>
            {view.page > 1 ? <Link href={href({ ...filter, cols: view.page - 1 })} className="btn-secondary">Previous</Link> : null}
            {view.page < view.pages ? <Link href={href({ ...filter, cols: view.page + 1 })} className="btn-secondary">Next</Link> : null}
          </nav>
        </>
      )}
    </>
  );
}
