// Pure: one exported matrix cell as a CSV line or a JSON object. The CSV is formula-safe
// (lib/csv), since cluster names, labels and controller messages come from users and clusters.
import type { ComplianceState } from "@/db/schema-status";
import { csvRow } from "@/lib/csv";
import { formatLabels } from "@/lib/inventory/cluster-input";

export const EXPORT_FORMATS = ["csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ExportRow = {
  cluster: string;
  labels: Record<string, string>;
  configuration: string;
  /** The assignment the cell belongs to; per configuration, every covering assignment, "; "-separated. */
  assignment: string | null;
  /** "deploy", "audit", or both ("deploy; audit") when several assignments cover a configuration's cell. */
  effect: string | null;
  state: ComplianceState;
  reason: string | null;
  message: string | null;
  since: Date | null;
  observedAt: Date | null;
  configDrift: boolean;
  revisionDrift: boolean;
  resourceDrift: boolean;
  behindBy: number | null;
};

const EXPORT_COLUMNS = [
  "cluster",
  "labels",
  "configuration",
  "assignment",
  "effect",
  "state",
  "reason",
  "message",
  "since",
  "observed_at",
  "config_drift",
  "revision_drift",
  "resource_drift",
  "behind_by",
] as const;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function csvHeader(): string {
  return csvRow([...EXPORT_COLUMNS]);
}

export function csvLine(r: ExportRow): string {
  return csvRow([
    r.cluster,
    formatLabels(r.labels),
    r.configuration,
    r.assignment,
    r.effect,
    r.state,
    r.reason,
    r.message,
    iso(r.since),
    iso(r.observedAt),
    r.configDrift,
    r.revisionDrift,
    r.resourceDrift,
    r.behindBy,
  ]);
}

/** The same fields as the CSV, with their JSON types (labels an object, drift booleans). */
export function jsonRecord(r: ExportRow): Record<(typeof EXPORT_COLUMNS)[number], unknown> {
  return {
    cluster: r.cluster,
    labels: r.labels,
    configuration: r.configuration,
    assignment: r.assignment,
    effect: r.effect,
    state: r.state,
    reason: r.reason,
    message: r.message,
    since: iso(r.since),
    observed_at: iso(r.observedAt),
    config_drift: r.configDrift,
    revision_drift: r.revisionDrift,
    resource_drift: r.resourceDrift,
    behind_by: r.behindBy,
  };
}

/** A JSON array written one element at a time: "[" first, "," between elements, "]" at the end. */
export function jsonElement(r: ExportRow, isFirst: boolean): string {
  return `${isFirst ? "" : ",\n"}${JSON.stringify(jsonRecord(r))}`;
}

export function exportFileName(format: ExportFormat, now = new Date()): string {
  return `fleetline-compliance-${now.toISOString().replace(/[:.]/g, "-")}.${format}`;
}
