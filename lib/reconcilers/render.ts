import type { Reconciler } from "@/db/schema";
import { renderArgoObjects } from "@/lib/reconcilers/argo/render";
import { renderFluxObjects, type KubeObject, type RenderInput } from "@/lib/reconcilers/flux/render";

/** Pure: the one entry point that renders a configuration version for a cluster's reconciler. */

export const RECONCILER_NAMES: Record<Reconciler, string> = { flux: "Flux", argocd: "Argo CD" };

/** Flux objects for a Flux cluster, Argo CD Applications (and their repository Secret) for an Argo CD cluster. */
export function renderFor(reconciler: Reconciler, input: RenderInput): KubeObject[] {
  return reconciler === "argocd" ? renderArgoObjects(input) : renderFluxObjects(input);
}

/**
 * Renders lazily, at most once per reconciler: a rollout or dry-run over a mixed fleet renders
 * (and decrypts the credential for) each reconciler once, whatever the number of clusters.
 */
export function cachedRenderer<T>(render: (reconciler: Reconciler) => T): (reconciler: Reconciler) => T {
  const cache = new Map<Reconciler, T>();
  return (reconciler) => {
    if (!cache.has(reconciler)) cache.set(reconciler, render(reconciler));
    return cache.get(reconciler) as T;
  };
}
