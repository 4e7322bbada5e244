import type { Reconciler, VerbPlan } from "../types";
import { mergePatchAct, REQUESTED_AT } from "../verb-acts";
import { failedKindOf, unreadableKindRow } from "../observation";
import { isFluxKind, FLUX_KIND_INFO } from "./kinds";
import { listFluxKinds, SELECTOR, servedVersions, type LiveFluxObject } from "./list";
import { renderFluxObjects } from "./render";
import { observeTarget, type ObjectValues, type StatusValues } from "./rows";

const WORKLOAD_KINDS = new Set(["Kustomization", "HelmRelease"]);

/** Flux: sources, Kustomizations and HelmReleases, observed through their Ready/Stalled conditions. */
export const flux: Reconciler = {
  id: "flux",
  label: "Flux",
  kinds: FLUX_KIND_INFO,
  detectGroup: "source.toolkit.fluxcd.io",
  render: renderFluxObjects,
  // Fleetline's configuration model is Flux's: everything renders (a credential that does not fit its source is refused at render).
  unsupported: () => [],
  list: (client, { namespaces, served }) => listFluxKinds(client, { namespaces, selector: SELECTOR, ...(served ? { served } : {}) }),
  async collections(client) {
    const versions = await servedVersions(client);
    return FLUX_KIND_INFO.map(({ kind, group, plural }) => {
      const version = versions.get(group);
      return { kind, apiVersion: version ? `${group}/${version}` : "", path: version ? `/apis/${group}/${version}/${plural}` : null, labelSelector: SELECTOR };
    });
  },
  observe(listing, { targets, previous, now, controllersReady }) {
    const rows: StatusValues[] = [];
    const objects: ObjectValues[] = [];
    for (const target of targets) {
      const failed = failedKindOf(target, listing.failedKinds);
      if (failed) {
        rows.push(unreadableKindRow(target, previous.get(target.configurationId), failed[0], failed[1], now));
        continue;
      }
      const observed = observeTarget(target, listing.objects as LiveFluxObject[], listing.unservedKinds, previous.get(target.configurationId), now, controllersReady === undefined ? {} : { fluxControllersReady: controllersReady });
      rows.push(observed.row);
      objects.push(...observed.objects);
    }
    return { rows, objects };
  },
  verbs: {
    // Source first, as it is first in apply order, and Flux then applies what it fetched.
    reconcile: (rendered, { withSource, token }): VerbPlan => ({
      verb: "reconcile",
      objects: rendered.filter((o) => WORKLOAD_KINDS.has(o.kind) || (withSource && isFluxKind(o.kind))),
      act: mergePatchAct({ metadata: { annotations: { [REQUESTED_AT]: token } } }),
    }),
    // Resuming also requests a reconcile, as `flux resume` does.
    setSuspended: (rendered, isSuspended, token): VerbPlan => ({
      verb: isSuspended ? "suspend" : "resume",
      objects: rendered.filter((o) => isFluxKind(o.kind)),
      act: mergePatchAct({ spec: { suspend: isSuspended }, ...(isSuspended ? {} : { metadata: { annotations: { [REQUESTED_AT]: token } } }) }),
    }),
  },
};
