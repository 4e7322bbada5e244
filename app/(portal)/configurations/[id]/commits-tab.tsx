import { Badge, ReconcilerBadge } from "@/components/ui/badges";
import { Revision } from "@/components/ui/revision";
import { Time } from "@/components/ui/time";
import { commitUrl } from "@/lib/commit-links";
import { argoDeployments, commitsView, type CommitHistory } from "@/lib/queries/commits";
import { ComputedHeader } from "./computed-header";

/** Each Argo CD cluster's status.history: what it deployed and when, with the commit's subject when it is in the log above. */
function ArgoHistory({ configurationId, repoUrl, subjects }: { configurationId: string; repoUrl: string | null; subjects: ReadonlyMap<string, string> }) {
  const clusters = argoDeployments(configurationId);
  if (clusters.length === 0) return null;
  return (
    <section aria-labelledby="argo-history" className="space-y-2">
      <h2 id="argo-history" className="font-semibold">Argo CD deployment history</h2>
      <div className="card overflow-x-auto">
        <table className="table-dense">
          <caption className="sr-only">Argo CD deployment history per cluster</caption>
          <thead><tr><th scope="col">Cluster</th><th scope="col">ID</th><th scope="col">Revision</th><th scope="col">Message</th><th scope="col">Deployed</th></tr></thead>
          <tbody>
            {clusters.flatMap((c) =>
              c.deployments.length === 0
                ? [<tr key={c.clusterId}><td className="font-mono text-xs">{c.clusterName} <ReconcilerBadge reconciler="argocd" /></td><td colSpan={4} className="text-xs text-zinc-500">Nothing deployed yet.</td></tr>]
                : c.deployments.map((d) => (
                    <tr key={`${c.clusterId}-${d.id}`}>
                      <td className="font-mono text-xs">{c.clusterName} <ReconcilerBadge reconciler="argocd" /></td>
                      <td className="tabular-nums">{d.id}</td>
                      <td><Revision revision={d.revision} commitUrl={commitUrl(repoUrl, d.revision)} /></td>
                      <td className="max-w-md text-xs">{subjects.get(d.revision) ?? ""}</td>
                      <td className="whitespace-nowrap"><Time date={new Date(d.deployedAt)} /></td>
                    </tr>
                  )),
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function GitLog({ history, repoUrl }: { history: Extract<CommitHistory, { status: "ok" }>; repoUrl: string | null }) {
  return (
    <section aria-labelledby="commits" className="space-y-3">
      <h2 id="commits" className="font-semibold">
        {history.ref} · paths {history.paths.join(", ")}
      </h2>
      {history.error ? <p role="alert" className="text-sm text-amber-800">Showing an earlier fetch: {history.error}</p> : null}
      {history.appliedElsewhere.length ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Older commits still applied: {history.appliedElsewhere.map((a) => `${a.clusterName} @ ${a.sha.slice(0, 7)}`).join(", ")}
        </p>
      ) : null}
      {history.commits.length === 0 ? <p className="text-sm text-zinc-600 dark:text-zinc-400">No commit on {history.ref} touches these paths.</p> : null}
      <div className="card overflow-x-auto">
        <table className="table-dense">
          <caption className="sr-only">Commits</caption>
          <thead><tr><th scope="col">Commit</th><th scope="col">Message</th><th scope="col">Author</th><th scope="col">Date</th><th scope="col">Applied on</th></tr></thead>
          <tbody>
            {history.commits.map((c) => (
              <tr key={c.sha}>
                <td>
                  <Revision revision={c.sha} commitUrl={commitUrl(repoUrl, c.sha)} />
                  {c.sha === history.headSha ? <span className="ml-1"><Badge tone="blue" icon="↑">HEAD</Badge></span> : null}
                </td>
                <td className="max-w-md">{c.subject}</td>
                <td className="text-xs">{c.author}</td>
                <td className="whitespace-nowrap"><Time date={new Date(c.date)} /></td>
                <td>
                  <span className="flex flex-wrap gap-1">
                    {c.appliedOn.map((a) => <Badge key={a.clusterId} tone="green" icon="●">{a.clusterName}</Badge>)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The tracked ref's log (filtered to the Kustomization paths), with each cluster's applied commit
 * marked; then Argo CD's own history. The log needs a `git fetch`: it comes from the background
 * cache, so an unanswering git host leaves a "still fetching" line here, never a hung page.
 */
export async function CommitsTab({ configurationId, repoUrl }: { configurationId: string; repoUrl: string | null }) {
  const computed = await commitsView(configurationId);
  const header = <ComputedHeader computed={computed} tab="commits" configurationId={configurationId} what="Fetching the repository" />;
  if (computed.status !== "ready") {
    return (
      <div className="space-y-5">
        {header}
        {computed.status === "computing" ? (
          <p className="text-sm">The repository has not answered yet; the log appears here once it does.</p>
        ) : (
          <p role="alert" className="text-sm text-red-700">Could not fetch the repository: {computed.error}</p>
        )}
        <ArgoHistory configurationId={configurationId} repoUrl={repoUrl} subjects={new Map()} />
      </div>
    );
  }
  const history = computed.value;
  if (history.status === "not-git") return <p className="text-sm">Commit history is shown for Git sources only.</p>;
  if (history.status === "not-found") return <p className="text-sm">Nothing was pushed yet.</p>;
  const subjects = new Map(history.status === "ok" ? history.commits.map((c) => [c.sha, c.subject]) : []);
  return (
    <div className="space-y-5">
      {header}
      {history.status === "error" ? <p role="alert" className="text-sm text-red-700">Could not fetch the repository: {history.error}</p> : <GitLog history={history} repoUrl={repoUrl} />}
      <ArgoHistory configurationId={configurationId} repoUrl={repoUrl} subjects={subjects} />
    </div>
  );
}
