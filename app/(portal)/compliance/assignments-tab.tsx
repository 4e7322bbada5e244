import Link from "@/components/ui/link";
import { AssignmentForm, DeleteAssignmentForm, type ConfigurationOption } from "@/components/compliance/assignment-forms";
import { complianceHref } from "@/components/compliance/links";
import { Percent, StateCountList } from "@/components/compliance/state-counts";
import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { Time } from "@/components/ui/time";
import { listConfigurations, listStoredAssignments, loadSummary, type Assignment, type AssignmentListing } from "@/lib/queries/compliance";
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

export type AssignmentPanel = { edit?: string; delete?: string; deleted?: string };

const panelHref = (mode: "edit" | "delete", id: string) => `/compliance?tab=assignments&${mode}=${encodeURIComponent(id)}#assignment-panel`;

/**
 * Beside the tables (below them on narrower screens): create, or edit or delete the assignment a
 * row's link chose. The forms live here rather than in the rows so the table stays narrow.
 */
function SidePanel({ selected, configurations }: { selected: { mode: "edit" | "delete"; assignment: AssignmentListing } | null; configurations: ConfigurationOption[] }) {
  if (!selected) {
    return (
      <section id="assignment-panel" aria-labelledby="create-assignment" className="card h-fit p-4">
        <h2 id="create-assignment" className="mb-3 font-semibold">Create assignment</h2>
        {configurations.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Add a configuration first: an assignment checks that clusters run one.</p>
        ) : (
          <AssignmentForm action={createAssignmentAction} configurations={configurations} />
        )}
      </section>
    );
  }
  const { mode, assignment: a } = selected;
  return (
    <section id="assignment-panel" aria-labelledby="assignment-panel-title" className="card h-fit p-4">
      <h2 id="assignment-panel-title" className="mb-3 font-semibold">
        {mode === "edit" ? "Edit" : "Delete"} assignment <span className="font-mono [overflow-wrap:anywhere]">{a.name}</span>
      </h2>
      {mode === "edit" ? (
        <AssignmentForm key={a.id} action={updateAssignmentAction} configurations={configurations} initial={{ id: a.id, name: a.name, configurationId: a.configurationId, selector: formatSelector(a.selector) }} />
      ) : (
        <DeleteAssignmentForm key={a.id} action={deleteAssignmentAction} id={a.id} name={a.name} />
      )}
      <Link href="/compliance?tab=assignments" className="mt-3 inline-block text-sm text-sky-800 hover:underline dark:text-sky-300">Cancel</Link>
    </section>
  );
}

/** Audit-only assignments (stored, editable) and the configurations' own targets (derived, read-only). */
export function AssignmentsTab({ assignments, canWrite, panel = {} }: { assignments: Assignment[]; canWrite: boolean; panel?: AssignmentPanel }) {
  const stored = listStoredAssignments();
  const chosen = stored.find((a) => a.id === (panel.edit ?? panel.delete));
  // A deleted configuration's assignment can only be deleted.
  const selected = chosen && canWrite ? (panel.edit && !chosen.isConfigurationDeleted ? { mode: "edit" as const, assignment: chosen } : panel.delete ? { mode: "delete" as const, assignment: chosen } : null) : null;
  const deployed = assignments.filter((a) => a.effect === "deploy");
  const counts = new Map(loadSummary(assignments).byAssignment.map((a) => [a.assignment.id, a.counts]));
  const configurations = canWrite ? listConfigurations().map((c) => ({ id: c.id, name: c.name })) : [];
  return (
    <div className="grid gap-6 2xl:grid-cols-[1fr_22rem]">
      <div className="min-w-0 space-y-6">
        {panel.deleted ? <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">Deleted assignment {panel.deleted}.</p> : null}
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
                      <td className="font-mono">{a.name}</td>
                      <td>
                        <span className="font-mono">{a.configurationName}</span>
                        {a.isConfigurationDeleted ? <Badge tone="grey" icon="–">deleted: not evaluated</Badge> : null}
                      </td>
                      <td className="font-mono text-xs">{formatSelector(a.selector)}</td>
                      <ScopeCell id={a.id} counts={counts.get(a.id)} />
                      <td className="text-xs"><Time date={a.updatedAt} /> by {a.updatedBy}</td>
                      {canWrite ? (
                        <td>
                          <div className="flex flex-wrap gap-x-3 gap-y-1 text-xs">
                            {a.isConfigurationDeleted ? null : (
                              <Link href={panelHref("edit", a.id)} aria-label={`Edit ${a.name}`} className="text-sky-800 hover:underline dark:text-sky-300">Edit</Link>
                            )}
                            <Link href={panelHref("delete", a.id)} aria-label={`Delete ${a.name}`} className="text-red-800 hover:underline dark:text-red-300">Delete</Link>
                          </div>
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
      {canWrite ? <SidePanel selected={selected} configurations={configurations} /> : null}
    </div>
  );
}
