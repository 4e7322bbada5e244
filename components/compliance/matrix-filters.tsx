import Link from "next/link";
import { COMPLIANCE_STATES } from "@/db/schema-status";
import type { Assignment } from "@/lib/compliance/assignments";
import { isMatrixFiltered, type MatrixFilter } from "@/lib/compliance/filters";
import { SUMMARY_LABEL_KEYS } from "@/lib/compliance/summary";
import { complianceHref } from "./links";

const DRIFT_LABELS = { any: "Drifted (any kind)", config: "Configuration", revision: "Revision", resource: "Resource" } as const;

/** A plain GET form: the URL holds the filters, so a filtered matrix can be shared and exported. */
export function MatrixFilters({ filter, assignments }: { filter: MatrixFilter; assignments: readonly Assignment[] }) {
  const configurations = [...new Map(assignments.map((a) => [a.configurationId, a.configurationName]))].sort((a, b) => a[1].localeCompare(b[1]));
  return (
    <form method="get" action="/compliance" role="search" aria-label="Filter the matrix" className="card mb-4 grid gap-3 p-3 sm:grid-cols-4 lg:grid-cols-8">
      <input type="hidden" name="tab" value="matrix" />
      {filter.sort !== "name" ? <input type="hidden" name="sort" value={filter.sort} /> : null}
      {filter.dir !== "asc" ? <input type="hidden" name="dir" value={filter.dir} /> : null}
      <div>
        <label htmlFor="m-q" className="block text-xs font-medium">Cluster</label>
        <input id="m-q" name="q" defaultValue={filter.q} placeholder="name" className="input" />
      </div>
      <div>
        <label htmlFor="m-label" className="block text-xs font-medium">Label</label>
        <input id="m-label" name="label" defaultValue={filter.label} placeholder="env=prod" className="input font-mono" />
      </div>
      <div>
        <label htmlFor="m-state" className="block text-xs font-medium">State</label>
        <select id="m-state" name="state" defaultValue={filter.state ?? ""} className="input">
          <option value="">Any</option>
          {COMPLIANCE_STATES.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="m-configuration" className="block text-xs font-medium">Configuration</label>
        <select id="m-configuration" name="configuration" defaultValue={filter.configuration ?? ""} className="input">
          <option value="">Any</option>
          {configurations.map(([id, name]) => (
            <option key={id} value={id}>{name}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="m-assignment" className="block text-xs font-medium">Assignment</label>
        <select id="m-assignment" name="assignment" defaultValue={filter.assignment ?? ""} className="input">
          <option value="">Any</option>
          {assignments.map((a) => (
            <option key={a.id} value={a.id}>{a.effect === "audit" ? a.name : `${a.name} (targets)`}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="m-drift" className="block text-xs font-medium">Drift</label>
        <select id="m-drift" name="drift" defaultValue={filter.drift ?? ""} className="input">
          <option value="">Any</option>
          {Object.entries(DRIFT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>{label}</option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="m-group" className="block text-xs font-medium">Group by label</label>
        <input id="m-group" name="group" defaultValue={filter.group} placeholder="env" list="m-group-keys" className="input font-mono" />
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
      <div className="flex items-end gap-2 sm:col-span-4 lg:col-span-8">
        <button type="submit" className="btn-primary">Apply filters</button>
        {isMatrixFiltered(filter) || filter.group || filter.view !== "configurations" ? (
          <Link href={complianceHref("matrix")} className="btn-secondary">Clear</Link>
        ) : null}
      </div>
    </form>
  );
}
