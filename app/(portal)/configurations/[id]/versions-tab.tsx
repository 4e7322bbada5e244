import { DiffView } from "@/components/ui/diff-view";
import { Time } from "@/components/ui/time";
import { listVersions } from "@/lib/configurations/store";
import { diffVersions, renderedYamlHref } from "@/lib/configurations/version-diff";
import { countChanges } from "@/lib/text-diff";
import { RollbackButton } from "./configuration-controls";

type Props = { configurationId: string; currentVersion: number; from?: string; to?: string; canRollback: boolean };

/** Every version with its author and message, a diff between any two, and roll back. */
export async function VersionsTab({ configurationId, currentVersion, from, to, canRollback }: Props) {
  const versions = listVersions(configurationId);
  const toVersion = Number(to) || currentVersion;
  const fromVersion = Number(from) || Math.max(1, toVersion - 1);
  const diff = fromVersion !== toVersion ? await diffVersions(configurationId, fromVersion, toVersion) : undefined;
  const changes = diff?.hunks ? countChanges(diff.hunks) : undefined;
  const options = versions.map((v) => (
    <option key={v.version} value={v.version}>v{v.version}</option>
  ));
  return (
    <div className="space-y-4">
      <div className="card overflow-x-auto">
        <table className="table-dense">
          <caption className="sr-only">Versions</caption>
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Author</th><th scope="col">Message</th><th scope="col">When</th>{canRollback ? <th scope="col">Action</th> : null}</tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}{v.version === currentVersion ? <span className="ml-1 text-xs text-zinc-500">(current)</span> : null}</td>
                <td>{v.author}</td>
                <td>{v.message}</td>
                <td><Time date={v.createdAt} /></td>
                {canRollback ? <td>{v.version !== currentVersion ? <RollbackButton configurationId={configurationId} version={v.version} /> : null}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {versions.length > 1 ? (
        <section aria-labelledby="compare" className="space-y-2">
          <form method="get" className="flex flex-wrap items-end gap-2">
            <input type="hidden" name="tab" value="versions" />
            <h2 id="compare" className="mr-2 self-center font-semibold">Compare</h2>
            <div>
              <label htmlFor="from" className="block text-xs font-medium">From</label>
              <select id="from" name="from" defaultValue={fromVersion} className="input">{options}</select>
            </div>
            <div>
              <label htmlFor="to" className="block text-xs font-medium">To</label>
              <select id="to" name="to" defaultValue={toVersion} className="input">{options}</select>
            </div>
            <button type="submit" className="btn-secondary">Show diff</button>
          </form>
          {diff ? (
            <>
              {changes ? <p className="text-sm text-zinc-600 dark:text-zinc-400">v{diff.from} → v{diff.to}: {changes.added} line(s) added, {changes.removed} removed (rendered Flux objects, Secret values masked).</p> : null}
              <DiffView
                hunks={diff.hunks}
                label={`Diff from v${diff.from} to v${diff.to}`}
                downloads={[diff.from, diff.to].map((v) => ({ label: `Download v${v}`, href: renderedYamlHref(configurationId, v) }))}
              />
            </>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
