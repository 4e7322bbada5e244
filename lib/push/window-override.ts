import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { rollouts, UNFINISHED_ROLLOUT_STATES } from "@/db/schema-configurations";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { wakeHeldRollouts } from "./run";

export type OverrideResult = { status: "ok" } | { status: "invalid"; fieldErrors: { reason: string } } | { status: "error"; message: string };

/**
 * An admin lets one rollout through its maintenance windows (a freeze, or outside allow windows):
 * its held rows apply at once. Needs a reason; who and why are kept on the rollout and audited.
 */
export function overrideWindows(rolloutId: string, actor: AuditActor, rawReason: unknown): OverrideResult {
  const reason = typeof rawReason === "string" ? rawReason.trim() : "";
  if (reason.length === 0) return { status: "invalid", fieldErrors: { reason: "is required: say why this push may not wait for its window" } };
  if (reason.length > 500) return { status: "invalid", fieldErrors: { reason: "must be at most 500 characters" } };
  const db = getDb();
  const rollout = db.select().from(rollouts).where(eq(rollouts.id, rolloutId)).get();
  if (!rollout || !(UNFINISHED_ROLLOUT_STATES as readonly string[]).includes(rollout.state)) return { status: "error", message: "That push has already finished." };
  db.update(rollouts).set({ windowOverride: { by: actor.email, reason, at: new Date().toISOString() } }).where(eq(rollouts.id, rolloutId)).run();
  recordAudit({ actor, action: "rollout.window-override", targetType: "configuration", targetId: rollout.configurationId, outcome: "success", details: { rolloutId, version: rollout.version, reason } });
  wakeHeldRollouts(rollout.configurationId);
  return { status: "ok" };
}
