import "server-only";
import crypto from "node:crypto";
import { and, eq, inArray, lt, min } from "drizzle-orm";
import { getDb } from "@/db";
import { backgroundWrite } from "@/db/busy";
import { clusters } from "@/db/schema";
import { configurations } from "@/db/schema-configurations";
import { notificationDeliveries, notificationEvents, type NotificationChannel, type NotificationEventRow, type NotificationRule } from "@/db/schema-notifications";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { redactText } from "@/lib/security/redact";
import { matchesSelector } from "@/lib/validation/label-selector";
import { buildPayload, severityOf, summarize, type Notice, type NoticeItem } from "./format";
import { send, type SendResult } from "./send";
import { allowLocalTargets, listChannels, listRules, openChannel, recordDelivery } from "./store";
import { severityRank, type NotificationEvent } from "./vocabulary";

export type DispatchSettings = { groupMs: number; timeoutMs: number; minIntervalMs: number; maxAttempts: number; allowLocal: boolean; backoffMs?: number };

export function dispatchSettings(): DispatchSettings {
  const e = env();
  return { groupMs: e.FLEETLINE_NOTIFY_GROUP_MS, timeoutMs: e.FLEETLINE_NOTIFY_TIMEOUT_MS, minIntervalMs: e.FLEETLINE_NOTIFY_MIN_INTERVAL_MS, maxAttempts: e.FLEETLINE_NOTIFY_MAX_ATTEMPTS, allowLocal: allowLocalTargets() };
}

const LOOKUP_CHUNK = 500;
const KEEP_DONE_MS = 86_400_000;
const KEEP_DELIVERIES_MS = 30 * 86_400_000;
/** A claim this old was left by a process that died while sending: its events go back to pending. */
const STALE_CLAIM_MS = 15 * 60_000;

const globalForNotify = globalThis as unknown as { fleetlineNotifyTimer?: NodeJS.Timeout; fleetlineNotifyLastSent?: Map<string, number> };
const lastSent = (globalForNotify.fleetlineNotifyLastSent ??= new Map());

export function publicUrl(path: string): string {
  const base = (env().NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  return `${base}${path}`;
}

/**
 * Takes every pending event once the oldest has waited the grouping window. The claim is one
 * UPDATE ... WHERE state = 'pending': of two dispatchers (replicas, later), each row goes to one.
 */
export function claimEvents(groupMs: number, now = Date.now()): NotificationEventRow[] {
  const db = getDb();
  const oldest = db.select({ at: min(notificationEvents.createdAt) }).from(notificationEvents).where(eq(notificationEvents.state, "pending")).get()?.at;
  if (!oldest || now - oldest.getTime() < groupMs) return [];
  const token = crypto.randomUUID();
  db.update(notificationEvents).set({ state: "claimed", claimToken: token, claimedAt: new Date(now) }).where(eq(notificationEvents.state, "pending")).run();
  return db.select().from(notificationEvents).where(eq(notificationEvents.claimToken, token)).all();
}

type Facts = { clusters: Map<string, { name: string; labels: Record<string, string> }>; configurations: Map<string, string> };

function loadFacts(events: readonly NotificationEventRow[]): Facts {
  const db = getDb();
  const clusterIds = [...new Set(events.flatMap((e) => (e.clusterId ? [e.clusterId] : [])))];
  const configurationIds = [...new Set(events.flatMap((e) => (e.configurationId ? [e.configurationId] : [])))];
  const facts: Facts = { clusters: new Map(), configurations: new Map() };
  for (let i = 0; i < clusterIds.length; i += LOOKUP_CHUNK) {
    for (const c of db.select({ id: clusters.id, name: clusters.name, labels: clusters.labels }).from(clusters).where(inArray(clusters.id, clusterIds.slice(i, i + LOOKUP_CHUNK))).all()) facts.clusters.set(c.id, c);
  }
  for (let i = 0; i < configurationIds.length; i += LOOKUP_CHUNK) {
    for (const c of db.select({ id: configurations.id, name: configurations.name }).from(configurations).where(inArray(configurations.id, configurationIds.slice(i, i + LOOKUP_CHUNK))).all()) facts.configurations.set(c.id, c.name);
  }
  return facts;
}

/** Repeats of one thing's change within a batch collapse to the latest (a flap sends its last state once). */
export function dedupe(events: readonly NotificationEventRow[]): NotificationEventRow[] {
  const latest = new Map<string, NotificationEventRow>();
  for (const e of [...events].sort((a, b) => a.id - b.id)) {
    latest.delete(e.dedupeKey);
    latest.set(e.dedupeKey, e);
  }
  return [...latest.values()];
}

function ruleMatches(rule: NotificationRule, event: NotificationEventRow, facts: Facts): boolean {
  if (!rule.events.includes(event.type)) return false;
  if (severityRank(severityOf(event.type)) < severityRank(rule.minSeverity)) return false;
  if (rule.configurationId && event.configurationId !== rule.configurationId) return false;
  if (rule.selector && event.clusterId) {
    const cluster = facts.clusters.get(event.clusterId);
    if (!cluster || !matchesSelector(cluster.labels, rule.selector)) return false;
  }
  return true;
}

function groupLink(type: NotificationEvent, events: readonly NotificationEventRow[]): string {
  const links = new Set(events.map((e) => e.link));
  if (links.size === 1) return publicUrl([...links][0]!);
  return publicUrl(type.startsWith("cluster.") ? "/clusters" : type.startsWith("rollout.") ? "/configurations" : "/compliance");
}

export function noticeFor(type: NotificationEvent, events: readonly NotificationEventRow[], facts: Facts, now = new Date()): Notice {
  const items: NoticeItem[] = events.map((e) => ({
    cluster: e.clusterId ? (facts.clusters.get(e.clusterId)?.name ?? e.clusterName ?? e.clusterId) : null,
    configuration: e.configurationId ? (facts.configurations.get(e.configurationId) ?? e.configurationName ?? e.configurationId) : null,
    detail: e.detail ? redactText(e.detail) : null,
  }));
  return { event: type, severity: severityOf(type), summary: summarize(type, items), url: groupLink(type, events), items, count: items.length, sentAt: now.toISOString() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One channel's messages, one after another, at most one per minIntervalMs. */
async function sendRateLimited(channel: NotificationChannel, notice: Notice, s: DispatchSettings): Promise<SendResult> {
  const wait = (lastSent.get(channel.id) ?? 0) + s.minIntervalMs - Date.now();
  if (wait > 0) await sleep(wait);
  lastSent.set(channel.id, Date.now());
  try {
    const secret = openChannel(channel);
    return await send(secret.url, buildPayload(channel.type, notice, secret.signingKey), s);
  } catch (error) {
    return { ok: false, statusCode: null, error: errorMessage(error).slice(0, 300), retryAfterMs: null, attempts: 1 };
  }
}

type Group = { rule: NotificationRule; channel: NotificationChannel; type: NotificationEvent; events: NotificationEventRow[] };

/** Groups a claimed batch per rule, channel and event type, sends each group as one message and records it. */
export async function deliverBatch(claimed: readonly NotificationEventRow[], s: DispatchSettings): Promise<number> {
  const events = dedupe(claimed);
  const rules = listRules();
  const channels = new Map(listChannels().map((c) => [c.id, c]));
  const facts = loadFacts(events);
  const groups: Group[] = [];
  for (const rule of rules) {
    const matching = events.filter((e) => ruleMatches(rule, e, facts));
    for (const type of rule.events) {
      const ofType = matching.filter((e) => e.type === type);
      if (ofType.length === 0) continue;
      for (const channelId of rule.channelIds) {
        const channel = channels.get(channelId);
        if (channel) groups.push({ rule, channel, type, events: ofType });
      }
    }
  }
  const byChannel = new Map<string, Group[]>();
  for (const g of groups) byChannel.set(g.channel.id, [...(byChannel.get(g.channel.id) ?? []), g]);
  await Promise.all(
    [...byChannel.values()].map(async (list) => {
      for (const g of list) {
        const result = await sendRateLimited(g.channel, noticeFor(g.type, g.events, facts), s);
        recordDelivery({ at: new Date(), ruleId: g.rule.id, ruleName: g.rule.name, channelId: g.channel.id, channelName: g.channel.name, eventType: g.type, eventCount: g.events.length, ok: result.ok, statusCode: result.statusCode, error: result.error, attempts: result.attempts });
        if (!result.ok) log.warn("notification not delivered", { channel: g.channel.name, rule: g.rule.name, event: g.type, status: result.statusCode, attempts: result.attempts });
      }
    }),
  );
  return groups.length;
}

/** One dispatcher pass: claim, send, mark done, prune. Returns how many messages it sent (or tried). */
export async function dispatchOnce(s: DispatchSettings = dispatchSettings(), now = Date.now()): Promise<number> {
  // Its writes wait for another process's write lock off the event loop (db/busy.ts), as the
  // observation loop's do: on the connection's busy timeout a claim held every page for 5 s.
  const claimed = await backgroundWrite(getDb(), () => claimEvents(s.groupMs, now));
  if (claimed.length === 0) return 0;
  const token = claimed[0]!.claimToken!;
  let sent = 0;
  try {
    sent = await deliverBatch(claimed, s);
  } finally {
    const db = getDb();
    await backgroundWrite(db, () => {
      db.update(notificationEvents).set({ state: "done" }).where(eq(notificationEvents.claimToken, token)).run();
      db.delete(notificationEvents).where(and(eq(notificationEvents.state, "done"), lt(notificationEvents.createdAt, new Date(now - KEEP_DONE_MS)))).run();
      db.delete(notificationDeliveries).where(lt(notificationDeliveries.at, new Date(now - KEEP_DELIVERIES_MS))).run();
    });
  }
  return sent;
}

/** A test message to one channel, sent now, once (an admin is waiting for the answer), and recorded. */
export async function sendTestMessage(channel: NotificationChannel, actorEmail: string): Promise<SendResult> {
  const s = dispatchSettings();
  const notice: Notice = { event: "test", severity: "info", summary: `Test message from Fleetline, sent by ${actorEmail}`, url: publicUrl("/settings/notifications"), items: [], count: 0, sentAt: new Date().toISOString() };
  const result = await sendRateLimited(channel, notice, { ...s, maxAttempts: 1 });
  recordDelivery({ at: new Date(), ruleId: null, ruleName: null, channelId: channel.id, channelName: channel.name, eventType: "test", eventCount: 0, ok: result.ok, statusCode: result.statusCode, error: result.error, attempts: result.attempts });
  return result;
}

/**
 * Claims left by a dispatcher that died while sending go back to pending (it may have sent some
 * of them: at least once, never lost). Returns how many.
 */
export function releaseStaleClaims(now = Date.now()): number {
  return getDb()
    .update(notificationEvents)
    .set({ state: "pending", claimToken: null, claimedAt: null })
    .where(and(eq(notificationEvents.state, "claimed"), lt(notificationEvents.claimedAt, new Date(now - STALE_CLAIM_MS))))
    .run().changes;
}

/**
 * Starts the dispatcher once per process: a pass every second (or the grouping window, if
 * shorter), never two at once. Stale claims are released at the first pass and every minute after: with
 * replicas, the one that died is not the one that starts again.
 */
export function startNotificationDispatcher(): void {
  if (globalForNotify.fleetlineNotifyTimer) return;
  let running = false;
  // At start, then every minute.
  let lastRelease = 0;
  const tick = () => {
    if (running) return;
    running = true;
    const due = Date.now() - lastRelease >= 60_000;
    if (due) lastRelease = Date.now();
    (due ? backgroundWrite(getDb(), () => releaseStaleClaims()) : Promise.resolve(0))
      .then(() => dispatchOnce())
      .catch((error: unknown) => log.error("notification dispatch failed", { error: errorMessage(error) }))
      .finally(() => (running = false));
  };
  globalForNotify.fleetlineNotifyTimer = setInterval(tick, Math.max(100, Math.min(1000, dispatchSettings().groupMs)));
  globalForNotify.fleetlineNotifyTimer.unref();
}
