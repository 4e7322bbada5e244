import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { Time } from "@/components/ui/time";
import type { ClusterVersions } from "@/lib/versions/queries";
import { cut, VersionMarks } from "./version-badges";

/** A cluster's Versions tab: the images and charts its configurations run, each judged against the fleet. */
export function ClusterVersionsView({ name, versions }: { name: string; versions: ClusterVersions }) {
  const { images, charts, read } = versions;
  return (
    <section aria-label={`Versions on ${name}`} className="space-y-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {read ? (
          <>
            Read <Time date={read.readAt} />
            {read.error ? (
              <>
                {" "}— <span role="alert" className="text-red-700 dark:text-red-400">the last read failed: {cut(read.error, 200)}</span>; showing what was read {read.okAt ? <Time date={read.okAt} /> : "never"}
              </>
            ) : null}
            {read.truncated ? " — more containers than are kept; the rest were counted, not stored" : null}
            {read.gitNote ? <span title={read.gitNote}> — some workloads could not be compared with Git</span> : null}.
          </>
        ) : (
          "Not read yet: versions are read every few minutes."
        )}
      </p>
      {images.length === 0 && charts.length === 0 ? (
        <EmptyState title="No versions recorded">Images appear once the workloads of a configuration are listed in its Kustomization inventory, Helm release history or Argo CD Application.</EmptyState>
      ) : null}
      {images.length > 0 ? (
        <div className="card overflow-x-auto">
          <table className="table-dense w-full table-fixed" aria-label={`Images on ${name}`}>
            <thead>
              <tr>
                <th className="w-[18%]">Configuration</th>
                <th className="w-[26%]">Workload</th>
                <th className="w-[26%]">Image</th>
                <th className="w-[30%]">Version</th>
              </tr>
            </thead>
            <tbody>
              {images.map((line, i) => (
                <tr key={i}>
                  <td className="[overflow-wrap:anywhere]">{line.configurationName}</td>
                  <td className="[overflow-wrap:anywhere]" title={line.workload}>{cut(line.workload, 80)}</td>
                  <td className="font-mono text-xs [overflow-wrap:anywhere]" title={line.full}>{cut(line.name, 80)}</td>
                  <td>
                    <div className="flex flex-wrap items-center gap-1">
                      <span className="font-mono text-xs [overflow-wrap:anywhere]" title={line.full}>{cut(line.label, 40)}</span>
                      <VersionMarks isBehind={line.isBehind} isNotInGit={line.isNotInGit} newest={line.newest} gitImage={line.gitImage} />
                      {line.isBehind && line.newest ? <span className="text-xs text-zinc-500">newest {cut(line.newest, 40)}</span> : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {charts.length > 0 ? (
        <div className="card overflow-x-auto">
          <table className="table-dense w-full table-fixed" aria-label={`Charts on ${name}`}>
            <thead>
              <tr>
                <th className="w-[20%]">Configuration</th>
                <th className="w-[30%]">Release</th>
                <th className="w-[20%]">Chart</th>
                <th className="w-[30%]">Version</th>
              </tr>
            </thead>
            <tbody>
              {charts.map((line, i) => (
                <tr key={i}>
                  <td className="[overflow-wrap:anywhere]">{line.configurationName}</td>
                  <td className="[overflow-wrap:anywhere]">{cut(line.workload, 80)}</td>
                  <td className="font-mono text-xs [overflow-wrap:anywhere]" title={line.name}>{cut(line.name, 60)}</td>
                  <td>
                    <div className="flex flex-wrap items-center gap-1">
                      <span className="font-mono text-xs" title={line.full}>{cut(line.label, 40)}</span>
                      {line.appVersion ? <Badge tone="neutral" icon="▪">app {cut(line.appVersion, 30)}</Badge> : null}
                      <VersionMarks isBehind={line.isBehind} isNotInGit={false} newest={line.newest} gitImage={null} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
