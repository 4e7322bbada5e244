import type { Reconciler } from "@/db/schema";
import { argo } from "./argo";
import { flux } from "./flux";
import type { KubeObject, RenderInput } from "./flux/render";

/** Pure: the one entry point that renders a configuration version for a cluster's reconciler. */

const BY_ID: Record<Reconciler, { label: string; render(input: RenderInput): KubeObject[] }> = { flux, argocd: argo };

export const RECONCILER_NAMES: Record<Reconciler, string> = { flux: flux.label, argocd: argo.label };

/** Flux objects for a Flux cluster, Argo CD Applications (and their repository Secret) for an Argo CD cluster. */
export function renderFor(reconciler: Reconciler, input: RenderInput): KubeObject[] {
  return BY_ID[reconciler].render(input);
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
