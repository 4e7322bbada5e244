import "server-only";
import type { KubeObject as RenderedObject } from "@/lib/reconcilers/flux/render";
import { CONFIGURATION_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "@/lib/reconcilers/labels";
import { ClusterError, type ClusterClient } from "@/lib/k8s/client";
import { resourcePath } from "@/lib/k8s/resource-path";
import { configurationSelector } from "@/lib/reconcilers/kinds";
import type { PushOutcome } from "@/lib/reconcilers/flux/derive";
import { APPLICATION_API_VERSION, ARGO_NAMESPACE } from "./metadata";
import { deriveArgoConfigurationState, expectedApplicationRefs, type ArgoApplication, type ArgoConfigurationVerdict } from "./status";

/**
 * One Argo CD cluster's Fleetline Applications, read with one list call, turned into a
 * verdict per configuration: the collector's counterpart of listManagedFluxObjects plus
 * deriveConfigurationState for a cluster whose reconciler is Argo CD.
 */

/** What the cluster should run of one configuration: the fields of the collector's Target this needs. */
export type ArgoTarget = {
  configurationId: string;
  /** The configuration's name (its label value on the cluster). */
  name: string;
  expectedVersion: number;
  push?: PushOutcome;
  /** The version rendered for Argo CD (renderArgoObjects; a masked credential is enough), or why it could not be. */
  rendered: readonly RenderedObject[] | { error: string };
};

export type ArgoListing = { applications: ArgoApplication[]; isServed: boolean };
export type ArgoObservation = { configurationId: string; verdict: ArgoConfigurationVerdict };

export const applicationsPath = (namespace: string) => resourcePath({ apiVersion: APPLICATION_API_VERSION, plural: "applications", namespace });

/** Applications Fleetline manages in the Argo CD namespace (optionally of one configuration); a cluster without Argo CD says so. */
export async function listManagedApplications(client: ClusterClient, options: { namespace?: string; configuration?: string } = {}): Promise<ArgoListing> {
  const labelSelector = options.configuration ? configurationSelector(options.configuration) : `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
  try {
    const list = await client.list<ArgoApplication>(applicationsPath(options.namespace ?? ARGO_NAMESPACE), { labelSelector });
    return { applications: list.items, isServed: true };
  } catch (error) {
    if (error instanceof ClusterError && error.kind === "not-found") return { applications: [], isServed: false };
    throw error;
  }
}

/** The verdicts of the given configurations from a listing (pure once listed). */
export function observeArgoTargets(listing: ArgoListing, targets: readonly ArgoTarget[], now: number): ArgoObservation[] {
  return targets.map((target) => {
    if ("error" in target.rendered) {
      const verdict: ArgoConfigurationVerdict = {
        state: "Unknown",
        reason: "RenderFailed",
        message: target.rendered.error,
        appliedVersion: null,
        objects: [],
        argo: { sync: null, health: null, revision: null, operationPhase: null, history: [], resourceDrift: [], applications: [] },
      };
      return { configurationId: target.configurationId, verdict };
    }
    const live = listing.applications.filter((app) => app.metadata.labels?.[CONFIGURATION_LABEL] === target.name);
    const verdict = deriveArgoConfigurationState({
      expected: expectedApplicationRefs(target.rendered),
      expectedVersion: target.expectedVersion,
      live,
      isServed: listing.isServed,
      now,
      ...(target.push ? { push: target.push } : {}),
    });
    return { configurationId: target.configurationId, verdict };
  });
}

/** Lists the cluster's Fleetline Applications and derives every target's verdict. Rejects when the cluster cannot be read. */
export async function observeArgoCluster(client: ClusterClient, targets: readonly ArgoTarget[], options: { now: number; namespace?: string }): Promise<ArgoObservation[]> {
  const listing = await listManagedApplications(client, options.namespace ? { namespace: options.namespace } : {});
  return observeArgoTargets(listing, targets, options.now);
}
