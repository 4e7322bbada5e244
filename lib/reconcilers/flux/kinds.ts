import type { KubeObject as RenderedObject } from "./render";
import type { ObjectRef } from "./derive";
import { isObservedKindOf, observedKinds } from "../kinds";

/** Pure: Flux's view of the one kind catalogue (lib/reconcilers/kinds.ts). */

export const FLUX_KIND_INFO = observedKinds("flux");
/** The Flux kinds with a status: four sources and two workloads. */
export const FLUX_KINDS: readonly string[] = FLUX_KIND_INFO.map((info) => info.kind);

export function isFluxKind(kind: string): boolean {
  return isObservedKindOf("flux", kind);
}

/** The Flux objects among the rendered ones (Secrets and Namespaces have no status), in apply order. */
export function expectedFluxRefs(rendered: readonly RenderedObject[]): ObjectRef[] {
  return rendered.filter((o) => isFluxKind(o.kind)).map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name }));
}
