import "server-only";
import crypto from "node:crypto";
import { and, asc, count, desc, eq, gt, isNull, lte } from "drizzle-orm";
import { DateTime } from "luxon";
import { z } from "zod";
import { getDb } from "@/db";
import { clusters } from "@/db/schema";
import { POLICY_ENGINES, policyResults, policyViolations, policyWaivers, type PolicyEngine, type PolicyWaiver, type WaiverStatus } from "@/db/schema-policy";
import { fieldErrors } from "@/lib/actions/result";
import { recordAudit, type AuditActor } from "@/lib/audit";
import { formatSelector, parseSelectorText } from "@/lib/compliance/selector-text";
import { invalidResult } from "@/lib/configurations/validate";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { insertEvents, waiverExpiring } from "@/lib/notify/emit";
import { matchesSelector } from "@/lib/validation/label-selector";

// Risk acceptances (issue 15). A waiver names a policy (optionally one resource), the clusters
// a label selector matches, a reason and an expiry of at most a year. One person asks, another
// with the operator role or above approves; until it expires the results it covers are Accepted
// risk: counted apart, never as passing.

export const MAX_WAIVER_REASON = 2000;
export const WAIVER_EXPIRY_WARNING_DAYS = 7;

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => text(max).optional().transform((v) => v || undefined);

const waiverInputSchema = z
  .object({
    engine: z.enum(POLICY_ENGINES, { error: "choose Gatekeeper, policy reports or OpenReports" }),
    policy: text(320).min(1, "is required: the policy or constraint (Kind/name) to accept"),
    resourceKind: optionalText(100),
    resourceNamespace: optionalText(253),
    resourceName: optionalText(253),
    selector: text(4096).transform((value, ctx) => {
      if (!value) {
        ctx.addIssue({ code: "custom", message: "is required: the clusters it covers (env=prod); a waiver for every cluster is written as a selector that matches them" });
        return z.NEVER;
      }
      const parsed = parseSelectorText(value);
      if (parsed.ok) return parsed.selector;
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }),
    reason: text(MAX_WAIVER_REASON).min(1, "is required: why the risk is accepted"),
    expiresOn: text(20).refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v, { zone: "utc" }).isValid, "is required: a date (YYYY-MM-DD) at most a year from today"),
  })
  .superRefine(
    (input, ctx) => {
      if (Boolean(input.resourceKind) !== Boolean(input.resourceName)) {
        ctx.addIssue({ code: "custom", path: [input.resourceKind ? "resourceName" : "resourceKind"], message: "is required when the waiver names one resource (kind and name together)" });
      }
      if (input.resourceNamespace && !input.resourceName) ctx.addIssue({ code: "custom", path: ["resourceName"], message: "is required when a namespace is given" });
    },
    { when: () => true },
  );

/** The waiver holds through the whole day it names (UTC): it ends at the next midnight. */
export function expiryOf(expiresOn: string): Date {
  return DateTime.fromISO(expiresOn, { zone: "utc" }).plus({ days: 1 }).toJSDate();
}

type Requester = { id: string; email: string };
export type WaiverResult = { status: "ok"; waiver: PolicyWaiver } | ReturnType<typeof invalidResult>;

function clusterLabels(): { id: string; name: string; labels: Record<string, string> }[] {
  return getDb().select({ id: clusters.id, name: clusters.name, labels: clusters.labels }).from(clusters).all();
}

/**
 * Validates everything before writing: the fields, an expiry between today and a year from now,
 * a policy some cluster reports, and a selector that matches at least one cluster reporting it.
 */
export function requestWaiver(input: unknown, by: Requester, now = new Date()): WaiverResult {
  const parsed = waiverInputSchema.safeParse(input);
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  if (!parsed.success) return invalidResult(errors);
  const w = parsed.data;
  const expiresAt = expiryOf(w.expiresOn);
  const today = DateTime.fromJSDate(now, { zone: "utc" }).startOf("day");
  if (expiresAt.getTime() <= now.getTime()) errors.expiresOn = "is in the past: a waiver must end after today";
  else if (DateTime.fromISO(w.expiresOn, { zone: "utc" }) > today.plus({ years: 1 })) errors.expiresOn = `must be at most a year away (${today.plus({ years: 1 }).toISODate()} or earlier)`;
  const db = getDb();
  const reporting = new Set(
    db
      .select({ clusterId: policyResults.clusterId })
      .from(policyResults)
      .where(and(eq(policyResults.engine, w.engine), eq(policyResults.policy, w.policy)))
      .all()
      .map((r) => r.clusterId),
  );
  if (reporting.size === 0) errors.policy = `no cluster reports a policy named "${w.policy.slice(0, 120)}" from this engine`;
  const matched = clusterLabels().filter((c) => matchesSelector(c.labels, w.selector));
  if (matched.length === 0) errors.selector = "matches no registered cluster: a waiver must cover at least one";
  else if (reporting.size > 0 && !matched.some((c) => reporting.has(c.id))) errors.selector = `matches ${matched.length} cluster${matched.length === 1 ? "" : "s"}, none of which reports this policy`;
  if (Object.keys(errors).length > 0) return invalidResult(errors);
  const row = db
    .insert(policyWaivers)
    .values({
      id: crypto.randomUUID(),
      engine: w.engine,
      policy: w.policy,
      resourceKind: w.resourceKind ?? null,
      resourceNamespace: w.resourceName ? (w.resourceNamespace ?? null) : null,
      resourceName: w.resourceName ?? null,
      selector: w.selector,
      reason: w.reason,
      status: "pending",
      requestedById: by.id,
      requestedBy: by.email,
      requestedAt: now,
      expiresAt,
    })
    .returning()
    .get();
  return { status: "ok", waiver: row };
}

export type Decision = "approve" | "reject" | "withdraw";
export type DecisionResult = { status: "ok"; waiver: PolicyWaiver } | { status: "error"; message: string };

const STATUS_WORDS: Record<WaiverStatus, string> = { pending: "waiting for approval", approved: "approved", rejected: "rejected", withdrawn: "withdrawn" };

/**
 * Approve or reject a pending waiver (never one's own: four eyes), or withdraw a pending or
 * approved one. The update is conditional on the status it was read in, so two people deciding
 * at once cannot both win.
 */
export function decideWaiver(id: string, decision: Decision, by: Requester, note: string, now = new Date()): DecisionResult {
  const db = getDb();
  const waiver = db.select().from(policyWaivers).where(eq(policyWaivers.id, id)).get();
  if (!waiver) return { status: "error", message: "That waiver no longer exists." };
  const trimmed = note.trim().slice(0, MAX_WAIVER_REASON);
  const expired = waiver.expiresAt.getTime() <= now.getTime();
  if (decision === "withdraw") {
    if (waiver.status !== "pending" && waiver.status !== "approved") return { status: "error", message: `This waiver is ${STATUS_WORDS[waiver.status]}; only a pending or approved one can be withdrawn.` };
    if (expired) return { status: "error", message: "This waiver has expired already." };
  } else {
    if (waiver.status !== "pending") return { status: "error", message: `This waiver is ${STATUS_WORDS[waiver.status]} already.` };
    if (waiver.requestedById === by.id) return { status: "error", message: "You asked for this waiver: another operator or admin must approve or reject it." };
    if (decision === "approve" && expired) return { status: "error", message: "This waiver expired before it was approved: ask again with a new expiry." };
    if (decision === "reject" && !trimmed) return { status: "error", message: "Say why it is rejected: the requester reads this." };
  }
  const status: WaiverStatus = decision === "approve" ? "approved" : decision === "reject" ? "rejected" : "withdrawn";
  const updated = db
    .update(policyWaivers)
    .set({ status, decidedById: by.id, decidedBy: by.email, decidedAt: now, decisionNote: trimmed || null })
    .where(and(eq(policyWaivers.id, id), eq(policyWaivers.status, waiver.status)))
    .returning()
    .get();
  if (!updated) return { status: "error", message: "Someone decided on this waiver at the same moment; reload to see what they chose." };
  return { status: "ok", waiver: updated };
}

export type WaiverView = PolicyWaiver & { state: WaiverStatus | "expired"; clusters: number };

/** Every waiver, newest first, with its effective state and how many clusters it matches now. */
export function listWaivers(now = new Date()): WaiverView[] {
  const all = clusterLabels();
  return getDb()
    .select()
    .from(policyWaivers)
    .orderBy(desc(policyWaivers.requestedAt))
    .all()
    .map((w) => ({ ...w, state: w.status === "approved" && w.expiresAt <= now ? "expired" : w.status, clusters: all.filter((c) => matchesSelector(c.labels, w.selector)).length }));
}

/** How many requests wait for a second person (the dashboard says so). */
export function pendingWaiverCount(): number {
  return getDb().select({ n: count() }).from(policyWaivers).where(eq(policyWaivers.status, "pending")).get()?.n ?? 0;
}

/** Approved waivers that end within the warning period (the dashboard shows them). */
export function expiringWaivers(now = new Date(), days = WAIVER_EXPIRY_WARNING_DAYS): PolicyWaiver[] {
  return getDb()
    .select()
    .from(policyWaivers)
    .where(and(eq(policyWaivers.status, "approved"), gt(policyWaivers.expiresAt, now), lte(policyWaivers.expiresAt, new Date(now.getTime() + days * 86_400_000))))
    .orderBy(asc(policyWaivers.expiresAt))
    .all();
}

export const waiverScope = (w: Pick<PolicyWaiver, "policy" | "resourceKind" | "resourceNamespace" | "resourceName">) =>
  w.resourceName ? `${w.policy} on ${w.resourceKind} ${w.resourceNamespace ? `${w.resourceNamespace}/` : ""}${w.resourceName}` : w.policy;

export const waiverAuditDetails = (w: PolicyWaiver) => ({
  engine: w.engine,
  policy: w.policy,
  resource: w.resourceName ? { kind: w.resourceKind, namespace: w.resourceNamespace, name: w.resourceName } : null,
  selector: formatSelector(w.selector),
  expiresAt: w.expiresAt.toISOString(),
  // The last day it holds (UTC), as the form asked for it.
  holdsThrough: new Date(w.expiresAt.getTime() - 1).toISOString().slice(0, 10),
  requestedBy: w.requestedBy,
});

const SYSTEM: AuditActor = { id: null, email: "system", role: null };

/**
 * Audits each approved waiver that has expired, once: the conditional update decides which
 * process records it when more than one runs. Returns how many were recorded.
 */
export function recordWaiverExpiries(now = new Date()): number {
  const db = getDb();
  const due = db
    .select()
    .from(policyWaivers)
    .where(and(eq(policyWaivers.status, "approved"), lte(policyWaivers.expiresAt, now), isNull(policyWaivers.expiryRecordedAt)))
    .all();
  let recorded = 0;
  for (const w of due) {
    const won = db
      .update(policyWaivers)
      .set({ expiryRecordedAt: now })
      .where(and(eq(policyWaivers.id, w.id), isNull(policyWaivers.expiryRecordedAt)))
      .returning({ id: policyWaivers.id })
      .get();
    if (!won) continue;
    recordAudit({ actor: SYSTEM, action: "waiver.expire", targetType: "waiver", targetId: w.id, outcome: "success", details: waiverAuditDetails(w) });
    recorded++;
  }
  return recorded;
}

/**
 * Writes one waiver.expiring event per approved waiver that has come within `days` of its end,
 * once: the mark and the outbox row share a transaction, and the conditional update decides
 * which process writes it. Returns how many were written.
 */
export function notifyExpiringWaivers(now = new Date(), days = env().FLEETLINE_NOTIFY_WAIVER_WARN_DAYS): number {
  const db = getDb();
  const due = db
    .select()
    .from(policyWaivers)
    .where(and(eq(policyWaivers.status, "approved"), gt(policyWaivers.expiresAt, now), lte(policyWaivers.expiresAt, new Date(now.getTime() + days * 86_400_000)), isNull(policyWaivers.expiryNotifiedAt)))
    .all();
  let written = 0;
  for (const w of due) {
    const won = db.transaction((tx) => {
      const marked = tx
        .update(policyWaivers)
        .set({ expiryNotifiedAt: now })
        .where(and(eq(policyWaivers.id, w.id), isNull(policyWaivers.expiryNotifiedAt)))
        .returning({ id: policyWaivers.id })
        .get();
      if (!marked) return false;
      insertEvents(tx, [waiverExpiring(w.id, `${waiverScope(w)} (${w.engine}) holds through ${waiverAuditDetails(w).holdsThrough}`, now)]);
      return true;
    });
    if (won) written++;
  }
  return written;
}

type ViolationRef = { resourceKind: string | null; resourceNamespace: string | null; resourceName: string | null };

/**
 * The waivers in force now, matched to clusters: answers whether a cluster's result (or one of
 * its violations) is accepted. Resource waivers accept a whole result only when every failing
 * violation was kept (none cut by a cap) and each is covered.
 */
export class WaiverCoverage {
  private readonly byPolicy = new Map<string, { waiver: PolicyWaiver; clusters: Set<string> }[]>();

  constructor(now = new Date()) {
    const active = getDb()
      .select()
      .from(policyWaivers)
      .where(and(eq(policyWaivers.status, "approved"), gt(policyWaivers.expiresAt, now)))
      .all();
    if (active.length === 0) return;
    const all = clusterLabels();
    for (const waiver of active) {
      const key = `${waiver.engine}\u0000${waiver.policy}`;
      const list = this.byPolicy.get(key) ?? [];
      list.push({ waiver, clusters: new Set(all.filter((c) => matchesSelector(c.labels, waiver.selector)).map((c) => c.id)) });
      this.byPolicy.set(key, list);
    }
  }

  get empty(): boolean {
    return this.byPolicy.size === 0;
  }

  /** The (engine, policy) pairs some waiver in force names. */
  policies(): [PolicyEngine, string][] {
    return [...this.byPolicy.values()].map((list) => [list[0]!.waiver.engine, list[0]!.waiver.policy]);
  }

  private candidates(clusterId: string, engine: PolicyEngine, policy: string) {
    return (this.byPolicy.get(`${engine}\u0000${policy}`) ?? []).filter((c) => c.clusters.has(clusterId)).map((c) => c.waiver);
  }

  /** The waiver that covers this violation, if any. */
  forViolation(clusterId: string, engine: PolicyEngine, policy: string, v: ViolationRef): PolicyWaiver | undefined {
    return this.candidates(clusterId, engine, policy).find(
      (w) => !w.resourceName || (w.resourceName === v.resourceName && w.resourceKind === v.resourceKind && (w.resourceNamespace ?? null) === (v.resourceNamespace ?? null)),
    );
  }

  /** The waiver that accepts this failing result as a whole, if any. */
  forResult(row: { clusterId: string; engine: PolicyEngine; policy: string; fail: number; error: number }, violations?: (ViolationRef & { result: string })[]): PolicyWaiver | undefined {
    const candidates = this.candidates(row.clusterId, row.engine, row.policy);
    if (candidates.length === 0) return undefined;
    const whole = candidates.find((w) => !w.resourceName);
    if (whole) return whole;
    const failing = (violations ?? this.violationsOf(row)).filter((v) => v.result === "fail" || v.result === "error");
    if (failing.length === 0 || failing.length < row.fail + row.error) return undefined;
    const covering = failing.map((v) => this.forViolation(row.clusterId, row.engine, row.policy, v));
    return covering.every(Boolean) ? covering[0] : undefined;
  }

  private violationsOf(row: { clusterId: string; engine: PolicyEngine; policy: string }) {
    return getDb()
      .select({ result: policyViolations.result, resourceKind: policyViolations.resourceKind, resourceNamespace: policyViolations.resourceNamespace, resourceName: policyViolations.resourceName })
      .from(policyViolations)
      .where(and(eq(policyViolations.clusterId, row.clusterId), eq(policyViolations.engine, row.engine), eq(policyViolations.policy, row.policy)))
      .all();
  }
}

const globalForWaivers = globalThis as unknown as { fleetlineWaiverTimer?: NodeJS.Timeout };

/**
 * Audits expiries, and announces ones coming up, within a minute (background work; once per
 * process), when `onlyIf` says so: with several replicas, on the one holding the waiver lease.
 */
export function startWaiverExpiryTimer(everyMs = 60_000, onlyIf: () => boolean = () => true): void {
  if (globalForWaivers.fleetlineWaiverTimer) return;
  const run = () => {
    if (!onlyIf()) return;
    try {
      recordWaiverExpiries();
    } catch (error) {
      log.error("recording waiver expiries failed", { error: errorMessage(error) });
    }
    try {
      notifyExpiringWaivers();
    } catch (error) {
      log.error("announcing expiring waivers failed", { error: errorMessage(error) });
    }
  };
  globalForWaivers.fleetlineWaiverTimer = setInterval(run, everyMs);
  globalForWaivers.fleetlineWaiverTimer.unref();
  setTimeout(run, 0).unref();
}
