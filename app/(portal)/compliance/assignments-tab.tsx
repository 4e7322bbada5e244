import Link from "@/components/ui/link";
import { AssignmentForm, DeleteAssignmentForm } from "@/components/compliance/assignment-forms";
import { complianceHref } from "@/components/compliance/links";
import { Percent, StateCountList } from "@/components/compliance/state-counts";
import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { Time } from "@/components/ui/time";
import { listConfigurations, listStoredAssignments, loadSummary, type Assignment } from "@/lib/queries/compliance";
import { formatSelector } from "@/lib/compliance/selector-text";
import { emptyCounts, type StateCounts } from "@/lib/compliance/states";
import { createAssignmentAction, deleteAssignmentAction, updateAssignmentAction } from "./actions";

function ScopeCell({ id, counts }: { id: string; counts: StateCounts | undefined }) {
  const c = counts ?? emptyCounts();
  return (
    <>
      <td className="tabular-nums">
        <Link href={complianceHref("matrix", { assignment: id, view: "assignments" })} className="text-sky-800 hover:underline dark:text-sky-300">
          {c.total} cluster{c.total === 1 ? "" : "s"}
        </Link>
      </td>
      <td className="font-medium"><Percent counts={c} /></td>
      <td><StateCountList counts={c} /></td>
    </>
  );
}

/** Audit-only assignments (stored, editable) and the configurations' own targets (derived, read-only). */
export function AssignmentsTab({ assignments, canWrite }: { assignments: Assignment[]; canWrite: boolean }) {
  const stored = listStoredAssignments();
  const deployed = assignments.filter((a) => a.effect === "deploy");
  const counts = new Map(loadSummary(assignments).byAssignment.map((a) => [a.assignment.id, a.counts]));
  const configurations = canWrite ? listConfigurations().map((c) => ({ id: c.id, name: c.name })) : [];
  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
      <div className="min-w-0 space-y-6">
        <section aria-labelledby="audit-assignments">
          <h2 id="audit-assignments" className="mb-2 font-semibold">Audit-only assignments</h2>
          <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
            Check, without pushing anything, that every cluster matching a selector runs a configuration. A matching cluster without it is
            Non-Compliant (not applied).
          </p>
          {stored.length === 0 ? (
            <EmptyState title="No audit-only assignments yet">
              {canWrite ? "Create one with the form: a name, a configuration and a cluster selector such as env=prod." : "Operators and administrators can create them."}
            </EmptyState>
          ) : (
            <div className="card overflow-x-auto">
              <table className="table-dense">
                <caption className="sr-only">Audit-only assignments</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Configuration</th>
                    <th scope="col">Selector</th>
                    <th scope="col">In scope</th>
                    <th scope="col">Compliant</th>
                    <th scope="col">By state</th>
                    <th scope="col">Updated</th>
                    {canWrite ? <th scope="col">Actions</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {stored.map((a) => (
                    <tr key={a.id}>
                      <td className="whitespace-nowrap font-mono">{a.name}</td>
                      <td>
                        <span className="font-mono">{a.configurationName}</span>
                        {a.isConfigurationDeleted ? <Badge tone="grey" icon="–">deleted: not evaluated</Badge> : null}
                      </td>
                      <td className="font-mono text-xs">{formatSelector(a.selector)}</td>
                      <ScopeCell id={a.id} counts={counts.get(a.id)} />
                      <td className="whitespace-nowrap text-xs"><Time date={a.updatedAt} /> by {a.updatedBy}</td>
                      {canWrite ? (
                        <td className="min-w-64 space-y-1">
                          {a.isConfigurationDeleted ? null : (
                            <details>
                              <summary className="cursor-pointer text-xs text-sky-800 dark:text-sky-300">Edit {a.name}</summary>
                              <div className="mt-2">
                                <AssignmentForm action={updateAssignmentAction} configurations={configurations} initial={{ id: a.id, name: a.name, configurationId: a.configurationId, selector: formatSelector(a.selector) }} />
                              </div>
                            </details>
                          )}
                          <details>
                            <summary className="cursor-pointer text-xs text-red-800 dark:text-red-300">Delete {a.name}</summary>
                            <div className="mt-2">
                              <DeleteAssignmentForm action={deleteAssignmentAction} id={a.id} name={a.name} />
                            </div>
                          </details>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section aria-labelledby="deploy-assignments">
          <h2 id="deploy-assignments" className="mb-2 font-semibold">Configuration targets</h2>
          <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
            Every pushed configuration is expected on its own targets (those of the version last pushed). Change them on the configuration.
          </p>
          {deployed.length === 0 ? (
            <p className="text-sm text-zinc-500">No configuration has been pushed yet.</p>
          ) : (
            <div className="card overflow-x-auto">
              <table className="table-dense">
                <caption className="sr-only">Configuration targets</caption>
                <thead>
                  <tr>
                    <th scope="col">Configuration</th>
                    <th scope="col">Targets</th>
                    <th scope="col">In scope</th>
                    <th scope="col">Compliant</th>
                    <th scope="col">By state</th>
                  </tr>
                </thead>
                <tbody>
                  {deployed.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <Link href={`/configurations/${a.configurationId}`} className="font-mono text-sky-800 hover:underline dark:text-sky-300">{a.name}</Link>
                      </td>
                      <td className="font-mono text-xs">
                        {[a.selector ? formatSelector(a.selector) : null, a.clusterIds.length > 0 ? `${a.clusterIds.length} named cluster${a.clusterIds.length === 1 ? "" : "s"}` : null].filter(Boolean).join(" + ")}
                      </td>
                      <ScopeCell id={a.id} counts={counts.get(a.id)} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
      {canWrite ? (
        <section aria-labelledby="create-assignment" className="card h-fit p-4">
          <h2 id="create-assignment" className="mb-3 font-semibold">Create assignment</h2>
          {configurations.length === 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Add a configuration first: an assignment checks that clusters run one.</p>
          ) : (
            <AssignmentForm action={createAssignmentAction} configurations={configurations} />
          )}
        </section>
      ) : null}
    </div>
  );
}
