import type { ConfigurationStatus } from "@/db/schema-status";
import type { ClusterClient, KubeObject } from "@/lib/k8s/client";
import type { Target } from "@/lib/status/expected";
import type { ConfigurationSpec } from "@/lib/validation/configuration";
import type { ObjectValues, StatusValues } from "./flux/rows";
import type { KubeObject as RenderedObject, RenderCredential, RenderInput } from "./flux/types";
import type { KindInfo } from "./kinds";

export type { RenderedObject, RenderInput };

/** What "reconcile now" asked the reconciler for: a Flux reconcile, an Argo CD refresh or an Argo CD sync. */
export type ReconcileVerb = "reconcile" | "refresh" | "sync";

/** One verb on one object; `false` when there was nothing to change (an Application already suspended). */
export type Act = (client: ClusterClient, object: RenderedObject) => Promise<unknown>;

/** Which rendered objects a verb touches, in order, and what it does to each. */
export type VerbPlan = { verb: ReconcileVerb | "suspend" | "resume"; objects: RenderedObject[]; act: Act };

/** API discovery of one cluster: group -> preferred version (absent: not served). */
export type Served = ReadonlyMap<string, string>;

/**
 * What one listing of a reconciler's kinds found. A kind that could not be listed (500, 429, 403
 * without a namespace fallback) is in failedKinds with the reason: only the configurations that
 * use it turn Unknown, the cluster stays reachable.
 */
export type Listing = {
  /** Every object of the reconciler's kinds that Fleetline manages, with apiVersion and kind set. */
  objects: KubeObject[];
  unservedKinds: ReadonlySet<string>;
  failedKinds: ReadonlyMap<string, string>;
};

/** One kind's collection on one cluster: `path` null when the cluster does not serve the kind. */
export type Collection = { kind: string; apiVersion: string; path: string | null; labelSelector: string };

export type Observation = { rows: StatusValues[]; objects: ObjectValues[] };

export type ObserveInput = {
  targets: readonly Target[];
  previous: ReadonlyMap<string, ConfigurationStatus>;
  now: number;
  /** What the probe saw of the reconciler's own controllers (ready or not), to say why objects are not reconciled. */
  controllersReady?: boolean;
};

/**
 * Everything Fleetline knows about one reconciler. Code outside lib/reconcilers asks
 * `reconcilerFor(cluster)` for one of these and never compares reconciler names.
 */
export type Reconciler = {
  id: "flux" | "argocd";
  /** How people name it ("Flux", "Argo CD"). */
  label: string;
  /** Its kinds in the one catalogue (kinds.ts). */
  kinds: readonly KindInfo[];
  /** Installed when discovery serves this API group. */
  detectGroup: string;
  /** Pure: a configuration version as this reconciler's objects. */
  render(input: RenderInput): RenderedObject[];
  /** Configuration fields this reconciler cannot express (shown in Review). */
  unsupported(spec: ConfigurationSpec, credential?: RenderCredential): { path: string; reason: string }[];
  /** The only lister: the managed objects of its kinds, one list call per kind, failures per kind. */
  list(client: ClusterClient, scope: { namespaces: readonly string[]; served?: Served }): Promise<Listing>;
  /**
   * Where each of its kinds is listed and watched (collection path in the version the cluster
   * serves, null when not served) with the selector of the objects Fleetline manages: the watch
   * cache lists and watches exactly what `list` reads.
   */
  collections(client: ClusterClient): Promise<Collection[]>;
  /** Pure: listing -> status rows and object rows. */
  observe(listing: Listing, input: ObserveInput): Observation;
  verbs: {
    reconcile(rendered: readonly RenderedObject[], options: { withSource: boolean; token: string }): VerbPlan;
    setSuspended(rendered: readonly RenderedObject[], isSuspended: boolean, token: string): VerbPlan;
  };
};
