import { Badge } from "@/components/ui/badges";
import { DiffView } from "@/components/ui/diff-view";
import { Time } from "@/components/ui/time";
import { configurationStatusRows } from "@/lib/queries/configuration-status";
import { driftView } from "@/lib/queries/drift";
import { resourceDriftCount } from "@/lib/drift/definition";
import { diffLines } from "@/lib/text-diff";
import { ComputedHeader } from "./computed-header";
import { RepushButton } from "./configuration-controls";
import { plural, revisionDriftText } from "@/lib/words";

const show = (v: unknown) => (v === undefined ? "(absent)" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * The three kinds of drift for one (cluster, configuration), computed against the live cluster in
 * the background (lib/queries/drift): the page shows the last result and its age, never waits long.
 */
export async function DriftTab({ configurationId, clusterId, canPush }: { configurationId: string; clusterId?: string; canPush: boolean }) {
  const rows = configurationStatusRows(configurationId, { limit: 500 }).rows;
  const selected = rows.find((r) => r.clusterId === clusterId) ?? rows.find((r) => r.hasConfigDrift || r.hasResourceDrift || r.hasRevisionDrift) ?? rows[0];
  if (!selected) return <p className="text-sm text-zinc-600">No status yet.</p>;
  const computed = await driftView(configurationId, selected.clusterId);
  const drift = computed.status === "ready" ? computed.value : null;
  return (
    <div className="space-y-4">
      <form method="get" className="flex items-end gap-2" aria-label="Choose a cluster">
        <input type="hidden" name="tab" value="drift" />
        <div>
          <label htmlFor="cluster" className="block text-xs font-medium">Cluster</label>
          <select id="cluster" name="cluster" defaultValue={selected.clusterId} className="input">
            {rows.map((r) => (
              <option key={r.clusterId} value={r.clusterId}>{r.clusterName}{r.hasConfigDrift || r.hasResourceDrift || r.hasRevisionDrift ? " (drifted)" : ""}</option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn-secondary">Show drift</button>
      </form>
      <ComputedHeader computed={computed} tab="drift" configurationId={configurationId} clusterId={selected.clusterId} what={`Comparing with ${selected.clusterName}`} />
      {computed.status === "computing" ? <p className="text-sm">{selected.clusterName} has not answered yet; the comparison appears here once it does.</p> : null}
      {computed.status === "failed" ? <p role="alert" className="text-sm text-red-700">Could not compare with {selected.clusterName}: {computed.error}</p> : null}
      {drift?.status === "unreachable" ? <p role="alert" className="text-sm text-red-700">{selected.clusterName} is unreachable: {drift.error}</p> : null}
      {drift?.status === "not-found" ? <p className="text-sm">Nothing was pushed to {selected.clusterName} yet.</p> : null}
      {drift?.status === "ok" ? (
        <>
          <p className="text-xs text-zinc-500">Computed <Time date={drift.computedAt} /> against {selected.clusterName}.</p>
          <section aria-labelledby="config-drift" className="card space-y-3 p-4">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h2 id="config-drift" className="font-semibold">
                Configuration drift {drift.configuration.length ? <Badge tone="amber" icon="≠">{plural(drift.configuration.length, "object")}</Badge> : <Badge tone="green" icon="✓">None</Badge>}
              </h2>
              {drift.configuration.length && canPush ? <RepushButton configurationId={configurationId} clusterId={selected.clusterId} clusterName={selected.clusterName} /> : null}
            </div>
            {drift.configuration.map((o) => (
              <div key={o.object} className="space-y-2">
                <p className="font-mono text-sm">{o.object} <Badge tone="amber" icon="≠">{o.change}</Badge></p>
                {o.fields.length ? (
                  <table className="table-dense">
                    <thead><tr><th scope="col">Field</th><th scope="col">On the cluster</th><th scope="col">Pushed by Fleetline</th></tr></thead>
                    <tbody>{o.fields.map((f) => <tr key={f.path}><td className="font-mono text-xs">{f.path}</td><td className="font-mono text-xs">{show(f.live)}</td><td className="font-mono text-xs">{show(f.desired)}</td></tr>)}</tbody>
                  </table>
                ) : null}
                <DiffView hunks={diffLines(o.desiredYaml ?? "", o.liveYaml ?? "")} label={`${o.object}: pushed (−) against live (+)`} />
              </div>
            ))}
          </section>
          <section aria-labelledby="revision-drift" className="card space-y-2 p-4">
            <h2 id="revision-drift" className="font-semibold">
              Revision drift{" "}
              {drift.revision.fetchFailure || drift.revision.gitError ? <Badge tone="red" icon="✕">Source failing</Badge> : revisionDriftText(drift.revision) ? <Badge tone="amber" icon="↧">{revisionDriftText(drift.revision)}</Badge> : <Badge tone="green" icon="✓">Up to date</Badge>}
            </h2>
            {drift.revision.fetchFailure ? <p role="alert" className="text-sm text-red-700">{drift.revision.fetchFailure}</p> : null}
            {drift.revision.gitError ? <p role="alert" className="text-sm text-red-700">{drift.revision.gitError}</p> : null}
            <p className="font-mono text-xs">applied {drift.revision.appliedRevision ?? "—"} · head {drift.revision.headSha?.slice(0, 12) ?? "—"}</p>
            {drift.revision.changedFiles.length ? (
              <ul className="font-mono text-xs" aria-label="Files changed since the applied commit">
                {drift.revision.changedFiles.map((f) => <li key={f.path}>{f.status} {f.path}</li>)}
              </ul>
            ) : null}
          </section>
          <section aria-labelledby="resource-drift" className="card space-y-3 p-4">
            <h2 id="resource-drift" className="font-semibold">
              Resource drift{" "}
              {resourceDriftCount(drift.resource) > 0 ? <Badge tone="amber" icon="✎" title="Counted as on the status row: objects changed outside Git">{resourceDriftCount(drift.resource)} resource drift</Badge> : null}
            </h2>
            {drift.resource.every((k) => k.objects.length === 0) ? <p className="text-sm"><Badge tone="green" icon="✓">None</Badge> Applied objects match Git.</p> : null}
            {drift.resource.map((k) =>
              k.objects.length ? (
                <div key={k.kustomization} className="space-y-2">
                  <p className="text-sm font-medium">{k.kustomization} <span className="text-xs text-zinc-500">({k.method === "dry-run" ? "server-side dry run, as flux diff" : k.method === "argocd" ? "as Argo CD reports it" : "field managers"}{k.note ? `: ${k.note}` : ""})</span></p>
                  {k.objects.map((o) => (
                    <div key={o.object}>
                      <p className="font-mono text-xs">{o.object} <Badge tone="amber" icon="✎">{o.action}</Badge> {o.changedPaths.join(", ")}{o.message ? ` ${o.message}` : ""}</p>
                      {o.foreignChanges.length ? <p className="text-xs text-zinc-600">changed by {o.foreignChanges.map((c) => `${c.manager}`).join(", ")}</p> : null}
                      {o.beforeYaml !== null || o.afterYaml !== null ? <DiffView hunks={diffLines(o.afterYaml ?? "", o.beforeYaml ?? "")} label={`${o.object}: Git (−) against live (+)`} /> : null}
                    </div>
                  ))}
                </div>
              ) : null,
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
