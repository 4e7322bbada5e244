// Pure: the words a person reads for counts and stored values ("1 configuration", "Argo CD").

/** The count and the noun, the plural form when the count is not exactly one. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? singular : pluralForm}`;
}

const RECONCILER_NAMES: Record<string, string> = { flux: "Flux", argocd: "Argo CD" };

/** "argocd" -> "Argo CD": the product's name, never the stored enum value. */
export function reconcilerName(reconciler: string): string {
  return RECONCILER_NAMES[reconciler] ?? reconciler;
}

/** "v3", "v3 · v2 pushed", "v3 · pushed", "v3 · not pushed": a configuration's version line. */
export function versionWords(current: number, pushed: number | null): string {
  if (pushed === null) return `v${current} · not pushed`;
  return pushed === current ? `v${current} · pushed` : `v${current} · v${pushed} pushed`;
}

/**
 * Where a cluster's applied commit stands against the tracked ref: "Diverged (1 ahead, 2 behind)"
 * when it is not an ancestor of the head (aheadBy > 0: it came from another branch), "Behind by
 * 2" (the commits the Commits tab lists), else null (up to date, or not counted yet).
 */
export function revisionDriftText({ behindBy, aheadBy }: { behindBy: number | null; aheadBy: number | null }): string | null {
  if ((aheadBy ?? 0) > 0) return `Diverged (${aheadBy} ahead, ${behindBy ?? "?"} behind)`;
  return (behindBy ?? 0) > 0 ? `Behind by ${behindBy}` : null;
}
