// Pure: an imported Azure configuration as a wizard draft, checked by the wizard's own step schemas.
import type { ImportedConfiguration } from "@/lib/import/azure";
import { basicsStepSchema, formatZodErrors, makeSourceStepSchema, workloadsStepSchema, type SourceUrlOptions } from "@/lib/validation/configuration";
import { emptyDraft, emptyKustomization, toSpecInput, type Draft } from "./draft";

/**
 * Basics, source and Kustomizations come from Azure; targets, rollout and overrides stay as they
 * were (Azure's configuration belonged to one cluster, Fleetline's targets are chosen here).
 * The errors are the wizard's own, keyed by field, so an imported value it refuses is named.
 */
export function draftFromImport(imported: ImportedConfiguration, current: Draft, options: SourceUrlOptions = {}): { draft: Draft; errors: Record<string, string> } {
  const base = emptyDraft();
  const { source, kustomizations, ...basics } = imported.draft;
  const draft: Draft = {
    ...base,
    ...basics,
    source: { ...base.source, ...source },
    kustomizations: kustomizations.map((k) => ({ ...emptyKustomization(k.name), ...k })),
    helmReleases: [],
    targets: current.targets,
    overrides: current.overrides,
    strategy: current.strategy,
  };
  const input = toSpecInput(draft);
  const errors: Record<string, string> = {};
  for (const schema of [basicsStepSchema, makeSourceStepSchema(options), workloadsStepSchema]) {
    const result = schema.safeParse(input);
    if (!result.success) Object.assign(errors, formatZodErrors(result.error));
  }
  return { draft, errors };
}
