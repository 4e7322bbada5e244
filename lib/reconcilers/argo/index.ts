import type { KubeObject } from "@/lib/k8s/client";
import type { Reconciler, VerbPlan } from "../types";
import { isKindLevelFailure } from "../flux/list";
import type { RenderedObject } from "../types";
import { failedKindOf, unreadableKindRow } from "../observation";
import { observedKinds } from "../kinds";
import type { ObjectValues, StatusValues } from "../flux/rows";
import { APPLICATION_API_VERSION, ARGO_NAMESPACE } from "./metadata";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../labels";
import { applicationsPath, listManagedApplications, observeArgoTargets, type ArgoListing, type ArgoTarget } from "./observe";
import { renderArgoObjects } from "./render";
import { observeArgoTarget } from "./rows";
import type { ArgoApplication } from "./status";
import { unsupportedFields } from "./unsupported";
import { refreshApplication, resumeApplication, suspendApplication, syncApplication, type ApplicationRef } from "./verbs";

const applicationRef = (object: RenderedObject): ApplicationRef => ({ name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) });
const applications = (rendered: readonly RenderedObject[]) => rendered.filter((o) => o.kind === "Application");

/** Argo CD: one Application per Kustomization / HelmRelease, observed through sync and health. */
export const argo: Reconciler = {
  id: "argocd",
  label: "Argo CD",
  kinds: observedKinds("argocd"),
  detectGroup: "argoproj.io",
  render: (input) => renderArgoObjects(input),
  unsupported: unsupportedFields,
  async list(client) {
    try {
      const listing = await listManagedApplications(client);
      return {
        objects: listing.applications.map((app) => ({ ...app, apiVersion: APPLICATION_API_VERSION, kind: "Application" }) as KubeObject),
        unservedKinds: new Set(listing.isServed ? [] : ["Application"]),
        failedKinds: new Map(),
      };
    } catch (error) {
      // As for a Flux kind: a 500/429/403 on the Applications list is reported on that kind, not on the cluster.
      if (!isKindLevelFailure(error)) throw error;
      return { objects: [], unservedKinds: new Set(), failedKinds: new Map([["Application", `listing applications.argoproj.io failed: ${(error as Error).message}`]]) };
    }
  },
  // Applications live in Argo CD's namespace at the one version it serves; a 404 there reads as not served.
  collections: async () => [{ kind: "Application", apiVersion: APPLICATION_API_VERSION, path: applicationsPath(ARGO_NAMESPACE), labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` }],
  observe(listing, { targets, previous, now }) {
    const argoListing: ArgoListing = { applications: listing.objects as unknown as ArgoApplication[], isServed: !listing.unservedKinds.has("Application") };
    const rows: StatusValues[] = [];
    const objects: ObjectValues[] = [];
    const readable = targets.filter((target) => !failedKindOf(target, listing.failedKinds));
    const argoTargets = readable.map(({ configurationId, name, expectedVersion, push, rendered }): ArgoTarget => ({ configurationId, name, expectedVersion, rendered, ...(push ? { push } : {}) }));
    const verdicts = observeArgoTargets(argoListing, argoTargets, now);
    readable.forEach((target, index) => {
      const observed = observeArgoTarget({ target, verdict: verdicts[index]!.verdict, listing: argoListing, previous: previous.get(target.configurationId), now });
      rows.push(observed.row);
      objects.push(...observed.objects);
    });
    for (const target of targets) {
      const failed = failedKindOf(target, listing.failedKinds);
      if (failed) rows.push(unreadableKindRow(target, previous.get(target.configurationId), failed[0], failed[1], now));
    }
    return { rows, objects };
  },
  verbs: {
    // Refresh compares with Git again; with the source, a sync operation applies it.
    reconcile: (rendered, { withSource }): VerbPlan => ({
      verb: withSource ? "sync" : "refresh",
      objects: applications(rendered),
      act: withSource ? (client, object) => syncApplication(client, applicationRef(object)) : (client, object) => refreshApplication(client, applicationRef(object)),
    }),
    // Suspend and resume take away and put back the automated sync policy.
    setSuspended: (rendered, isSuspended): VerbPlan => ({
      verb: isSuspended ? "suspend" : "resume",
      objects: applications(rendered),
      act: isSuspended ? (client, object) => suspendApplication(client, applicationRef(object)) : (client, object) => resumeApplication(client, applicationRef(object)),
    }),
  },
};

export { APPLICATION_API_VERSION };
