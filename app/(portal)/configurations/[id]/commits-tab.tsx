import { Badge } from "@/components/ui/badges";
import { Revision } from "@/components/ui/revision";
import { Time } from "@/components/ui/time";
import { commitUrl } from "@/lib/commit-links";
import { commitHistory } from "@/lib/status/commits";

/** The tracked ref's log (filtered to the Kustomization paths), with each cluster's applied commit marked. */
export async function CommitsTab({ configurationId, repoUrl }: { configurationId: string; repoUrl: string | null }) {
  const history = await commitHistory(configurationId, { limit: 50 });
  if (history.status === "not-git") return <p className="text-sm">Commit history is shown for Git sources only.</p>;
  if (history.status === "not-found") return <p className="text-sm">Nothing was pushed yet.</p>;
  if (history.status === "error") return <p role="alert" className="text-sm text-red-700">The repository could not be read: {history.error}</p>;
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
