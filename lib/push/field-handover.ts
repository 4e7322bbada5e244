/**
 * Pure: handing the fields of one server-side-apply field manager over to another by rewriting
 * metadata.managedFields, as kubectl does when it moves client-side-applied objects to
 * server-side apply. Applying as the new manager alone would not do: fields whose values
 * changed conflict with the old manager, and fields the new version drops stay owned by the old
 * manager and are never removed. Folding the old Apply entry into the new manager's entry makes
 * the new manager the sole owner of both, in one write guarded by the object's resourceVersion.
 */

import type { ManagedFieldsEntry } from "@/lib/drift/managed-fields";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The union of two FieldsV1 sets (nested objects whose keys are field paths; leaves are `{}`). */
export function mergeFieldSets(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] = isObject(mine) && isObject(value) ? mergeFieldSets(mine, value) : isObject(mine) ? mine : value;
  }
  return out;
}

const isApplyBy = (entry: ManagedFieldsEntry, manager: string) => entry.manager === manager && entry.operation === "Apply" && !entry.subresource;

/**
 * The managedFields with `from`'s Apply entry folded into `to`'s (or renamed to `to` when `to`
 * has none yet), or undefined when `from` owns nothing to hand over. Entries of other managers,
 * and `from`'s Update entries (merge patches of the verbs), are kept as they are.
 */
export function handOverFields(entries: readonly ManagedFieldsEntry[] | undefined, from: string, to: string, now: Date): ManagedFieldsEntry[] | undefined {
  if (!entries) return undefined;
  const legacy = entries.find((entry) => isApplyBy(entry, from));
  if (!legacy) return undefined;
  const current = entries.find((entry) => isApplyBy(entry, to));
  const time = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const merged: ManagedFieldsEntry = current
    ? { ...current, time, fieldsV1: mergeFieldSets(current.fieldsV1 ?? {}, legacy.fieldsV1 ?? {}) }
    : { ...legacy, manager: to, time };
  const rest = entries.filter((entry) => entry !== legacy && entry !== current);
  return [...rest, merged];
}
