import { FIELD_MANAGER, refOf } from "@/lib/push/apply";
import { objectPath } from "./kinds";
import type { Act } from "./types";

/** The annotation Flux compares with status.lastHandledReconcileAt; Fleetline writes it to ask for a reconcile. */
export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

/** A merge patch of each object, as field manager "fleetline". */
export const mergePatchAct =
  (patch: object): Act =>
  (client, object) =>
    client.mergePatch(objectPath(refOf(object)), patch, { fieldManager: FIELD_MANAGER });
