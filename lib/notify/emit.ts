import "server-only";
import type { Db } from "@/db";
import type { ComplianceState } from "@/db/enums";
import { notificationEvents, type NewNotificationEvent } from "@/db/schema-notifications";
import type { NotificationEvent } from "./vocabulary";

// Events go into the outbox at the points where a state changes, inside the transaction that
// writes the change: no change, no event (a state that stays Non-Compliant is never repeated),
// and no network on the observation path. Names are looked up by the dispatcher when it sends.

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Writer = Pick<Tx, "insert">;

const INSERT_CHUNK = 200;

export function insertEvents(tx: Writer, events: readonly NewNotificationEvent[]): void {
  for (let i = 0; i < events.length; i += INSERT_CHUNK) tx.insert(notificationEvents).values(events.slice(i, i + INSERT_CHUNK)).run();
}

/** The event a compliance state change is, if any: Non-Compliant or Unknown entered, Compliant regained. */
export function complianceEvent(before: ComplianceState | undefined, after: ComplianceState): NotificationEvent | undefined {
  if (before === undefined || before === after) return undefined;
  if (after === "Non-Compliant") return "configuration.non-compliant";
  if (after === "Unknown") return "configuration.unknown";
  if (after === "Compliant" && (before === "Non-Compliant" || before === "Unknown")) return "configuration.compliant";
  return undefined;
}

export function complianceChange(clusterId: string, configurationId: string, type: NotificationEvent, reason: string | null, at: Date): NewNotificationEvent {
  return { type, dedupeKey: `${configurationId}/${clusterId}`, clusterId, configurationId, detail: reason, link: `/configurations/${configurationId}`, createdAt: at };
}

/** Reachable -> unreachable and back; a first check says nothing (no change seen). */
export function healthEvent(before: string | undefined, after: string): NotificationEvent | undefined {
  if (before === "reachable" && after === "unreachable") return "cluster.unreachable";
  if (before === "unreachable" && after === "reachable") return "cluster.reachable";
  return undefined;
}

export function healthChange(clusterId: string, type: NotificationEvent, reason: string | null, at: Date): NewNotificationEvent {
  return { type, dedupeKey: `cluster/${clusterId}`, clusterId, detail: reason, link: `/clusters/${clusterId}`, createdAt: at };
}

export function rolloutChange(rollout: { id: string; configurationId: string }, configurationName: string, type: NotificationEvent, detail: string | null): NewNotificationEvent {
  return { type, dedupeKey: `rollout/${rollout.id}`, configurationId: rollout.configurationId, configurationName, detail, link: `/rollouts/${rollout.id}`, createdAt: new Date() };
}

/** Drift entered (a row that had none now has some); drift that stays, clears or is first seen says nothing. */
export function driftEntered(before: boolean | undefined, after: boolean | undefined): boolean {
  return before === false && after === true;
}

export function driftChange(clusterId: string, configurationId: string, detail: string | null, at: Date): NewNotificationEvent {
  // Its own key: a drift and a state change of the same pair in one batch are two messages, not one collapsed.
  return { type: "drift.detected", dedupeKey: `drift/${configurationId}/${clusterId}`, clusterId, configurationId, detail, link: `/configurations/${configurationId}?tab=drift&cluster=${clusterId}`, createdAt: at };
}

export function waiverExpiring(waiverId: string, detail: string, at: Date): NewNotificationEvent {
  return { type: "waiver.expiring", dedupeKey: `waiver/${waiverId}`, detail, link: "/compliance?tab=waivers", createdAt: at };
}
