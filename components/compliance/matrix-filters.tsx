import Link from "@/components/ui/link";
import { COMPLIANCE_STATES } from "@/db/enums";
import type { Assignment } from "@/lib/compliance/assignments";
import { isMatrixFiltered, type MatrixFilter } from "@/lib/compliance/filters";
import { SUMMARY_LABEL_KEYS } from "@/lib/compliance/summary";
import { FilterInput, FilterSelect, plainOptions } from "@/components/ui/filter-controls";
import { complianceHref } from "./links";

const DRIFT_LABELS = { any: "Drifted (any kind)", config: "Configuration", revision: "Revision", resource: "Resource" } as const;

/** A plain GET form: the URL holds the filters, so a filtered matrix can be shared and exported. */
export function MatrixFilters({ filter, assignments }: { filter: MatrixFilter; assignments: readonly Assignment[] }) {
  const configurations = [...new Map(assignments.map((a) => [a.configurationId, a.configurationName]))].sort((a, b) => a[1].localeCompare(b[1]));
  return (
    <form method="get" action="/compliance" role="search" aria-label="Filter the matrix" className="card mb-4 grid gap-3 p-3 sm:grid-cols-4 2xl:grid-cols-8">
      <input type="hidden" name="tab" value="matrix" />
      {filter.sort !== "name" ? <input type="hidden" name="sort" value={filter.sort} /> : null}
      {filter.dir !== "asc" ? <input type="hidden" name="dir" value={filter.dir} /> : null}
      <FilterInput id="m-q" name="q" label="Cluster" defaultValue={filter.q} placeholder="name" />
      <FilterInput id="m-label" name="label" label="Label" defaultValue={filter.label} placeholder="env=prod" mono />
      <FilterSelect id="m-state" name="state" label="State" defaultValue={filter.state} options={plainOptions(COMPLIANCE_STATES)} />
      <FilterSelect id="m-configuration" name="configuration" label="Configuration" defaultValue={filter.configuration} options={configurations.map(([value, label]) => ({ value, label }))} />
      <FilterSelect
        id="m-assignment"
        name="assignment"
        label="Assignment"
        defaultValue={filter.assignment}
        options={assignments.map((a) => ({ value: a.id, label: a.effect === "audit" ? a.name : `${a.name} (targets)` }))}
      />
      <FilterSelect id="m-drift" name="drift" label="Drift" defaultValue={filter.drift} options={Object.entries(DRIFT_LABELS).map(([value, label]) => ({ value, label }))} />
      <div>
        <FilterInput id="m-group" name="group" label="Group by label" defaultValue={filter.group} placeholder="env" list="m-group-keys" mono />
        <datalist id="m-group-keys">
          {SUMMARY_LABEL_KEYS.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
      </div>
      <div>
        <label htmlFor="m-view" className="block text-xs font-medium">Columns</label>
        <select id="m-view" name="view" defaultValue={filter.view} className="input">
          <option value="configurations">Configurations</option>
          <option value="assignments">Assignments</option>
        </select>
      </div>
      <div className="flex items-end gap-2 sm:col-span-4 2xl:col-span-8">
        <button type="submit" className="btn-primary">Apply filters</button>
        {isMatrixFiltered(filter) || filter.group || filter.view !== "configurations" ? (
          <Link href={complianceHref("matrix")} className="btn-secondary">Clear</Link>
        ) : null}
      </div>
    </form>
  );
}
