import { DiffView } from "@/components/ui/diff-view";
import { Time } from "@/components/ui/time";
import { diffVersions, listVersions, renderedYamlHref } from "@/lib/queries/configurations";
import { countChanges } from "@/lib/text-diff";
import { rollbackPlan } from "@/lib/configurations/rollback-plan";
import { RollbackButton } from "./configuration-controls";
import { plural } from "@/lib/words";
import { listFleetForTargeting } from "@/lib/queries/fleet";

type Props = { configurationId: string; currentVersion: number; from?: string; to?: string; rollback?: string; canRollback: boolean; cluster?: string };

/** Every version with its author and message, a diff between any two, and roll back. */
export async function VersionsTab({ configurationId, currentVersion, from, to, rollback, canRollback, cluster }: Props) {
  const versions = listVersions(configurationId);
  // Reviewing a rollback shows what changes: the current version against the one rolled back to.
  const plan = canRollback && rollback ? rollbackPlan(configurationId, Number(rollback)) : undefined;
  const toVersion = plan ? plan.to : Number(to) || currentVersion;
  const fromVersion = plan ? plan.from : Number(from) || Math.max(1, toVersion - 1);
  // Optionally as one cluster gets both versions (its variables and overrides applied).
  const fleet = listFleetForTargeting();
  const chosen = fleet.find((c) => c.id === cluster);
  let diff: Awaited<ReturnType<typeof diffVersions>>;
  let diffError: string | undefined;
  try {
    const facts = chosen ? { id: chosen.id, name: chosen.name, labels: chosen.labels, reconciler: chosen.reconciler ?? "" } : undefined;
    diff = fromVersion !== toVersion ? await diffVersions(configurationId, fromVersion, toVersion, facts) : undefined;
  } catch (error) {
    diffError = error instanceof Error ? error.message : "the versions cannot be rendered for this cluster";
  }
  const changes = diff?.hunks ? countChanges(diff.hunks) : undefined;
  const options = versions.map((v) => (
    <option key={v.version} value={v.version}>v{v.version}</option>
  ));
  return (
    <div className="space-y-4">
      {plan ? (
        <section aria-labelledby="rollback" className="card space-y-2 border-amber-300 p-4 dark:border-amber-800">
          <h2 id="rollback" className="font-semibold">Roll back to v{plan.to}?</h2>
          <p className="text-sm">
            This saves v{plan.to}&apos;s configuration as v{plan.newVersion} and pushes it to{" "}
            <strong>{plural(plan.targets.length, "cluster")}</strong>
            {plan.targets.length ? `: ${plan.targets.map((t) => t.clusterName).join(", ")}` : ""}.
            {plan.removedFrom.length ? ` Its objects are removed from ${plan.removedFrom.join(", ")}, which v${plan.to} no longer targets.` : ""} The diff below shows what changes.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <RollbackButton configurationId={configurationId} version={plan.to} targets={plan.targets.length} />
            <a className="btn-secondary" href={`/configurations/${configurationId}?tab=versions`}>Cancel</a>
          </div>
        </section>
      ) : null}
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
                {canRollback ? (
                  <td>
                    {v.version !== currentVersion ? (
                      <a className="btn-secondary py-1" href={`/configurations/${configurationId}?tab=versions&rollback=${v.version}`}>
                        Roll back to v{v.version}…
                      </a>
                    ) : null}
                  </td>
                ) : null}
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
            <div>
              <label htmlFor="diff-cluster" className="block text-xs font-medium">As rendered for</label>
              <select id="diff-cluster" name="cluster" defaultValue={chosen?.id ?? ""} className="input">
                <option value="">the version as written</option>
                {fleet.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </div>
            <button type="submit" className="btn-secondary">Show diff</button>
          </form>
          {diffError ? <p role="alert" className="text-sm text-red-700">{diffError}</p> : null}
          {diff ? (
            <>
              {changes ? <p className="text-sm text-zinc-600 dark:text-zinc-400">v{diff.from} → v{diff.to}: {plural(changes.added, "line")} added, {changes.removed} removed (rendered Flux objects{chosen ? ` for ${chosen.name}` : ""}, Secret values masked).</p> : null}
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
