import crypto from "node:crypto";
import { EVENT_INFO, type ChannelType, type NotificationEvent, type Severity } from "./vocabulary";

// Pure: a group of events as one message, written in each target's markup. Cluster names,
// configuration names and reasons come from clusters and users: every one is escaped for the
// target, so a reason cannot ping @everyone, forge a link or break out of the message.

export type NoticeItem = { cluster?: string | null; configuration?: string | null; detail?: string | null };
export type Notice = { event: NotificationEvent | "test"; severity: Severity; summary: string; url: string; items: NoticeItem[]; count: number; sentAt: string };

/** How many items a chat message names; the rest are counted ("and 295 more"). */
export const LISTED_ITEMS = 5;
/** How many items the generic webhook's body carries at most: `count` has the total. */
export const WEBHOOK_ITEMS = 100;
const MAX_DETAIL = 300;

export type Payload = { body: string; headers: Record<string, string> };

/** Slack mrkdwn: &, < and > are its only control characters (links are <url|text>). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Markdown (Discord, Teams, Rocket.Chat): every character that starts formatting, a link or a mention is backslashed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~|>#[\]()!<@:-]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

function clip(text: string, max = MAX_DETAIL): string {
  const oneLine = text.replace(/[\r\n\t]+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function itemText(item: NoticeItem, escape: (s: string) => string, strong: (s: string) => string): string {
  const who = [item.cluster, item.configuration].filter((x): x is string => Boolean(x)).map((x) => strong(escape(clip(x, 120))));
  const detail = item.detail ? escape(clip(item.detail)) : "";
  return [who.join(" / "), detail].filter(Boolean).join(": ");
}

function lines(notice: Notice, escape: (s: string) => string, strong: (s: string) => string): string[] {
  const listed = notice.items.slice(0, LISTED_ITEMS).map((item) => `• ${itemText(item, escape, strong)}`);
  const more = notice.count - listed.length;
  return more > 0 ? [...listed, `…and ${more} more`] : listed;
}

const SEVERITY_MARK: Record<Severity, string> = { info: "ℹ️", warning: "⚠️", critical: "🔴" };

export function buildPayload(type: ChannelType, notice: Notice, signingKey?: string, now = Date.now()): Payload {
  const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
  const title = `${SEVERITY_MARK[notice.severity]} ${notice.summary}`;
  switch (type) {
    case "slack": {
      const text = [`*${escapeSlack(title)}*`, ...lines(notice, escapeSlack, (s) => `*${s}*`), `<${escapeSlack(notice.url)}|Open in Fleetline>`].join("\n");
      return json({ text });
    }
    case "discord": {
      const text = [`**${escapeMarkdown(title)}**`, ...lines(notice, escapeMarkdown, (s) => `**${s}**`), `<${notice.url}>`].join("\n");
      // allowed_mentions: no @everyone, role or user ping, whatever the text says.
      return json({ content: clip(text, 1900), allowed_mentions: { parse: [] } });
    }
    case "rocketchat": {
      const text = [`*${escapeMarkdown(title)}*`, ...lines(notice, escapeMarkdown, (s) => `*${s}*`), `[Open in Fleetline](${notice.url})`].join("\n");
      return json({ text });
    }
    case "teams": {
      const body = [
        { type: "TextBlock", text: escapeMarkdown(title), weight: "Bolder", wrap: true },
        ...lines(notice, escapeMarkdown, (s) => `**${s}**`).map((text) => ({ type: "TextBlock", text, wrap: true, spacing: "None" })),
      ];
      return json({
        type: "message",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            content: { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body, actions: [{ type: "Action.OpenUrl", title: "Open in Fleetline", url: notice.url }] },
          },
        ],
      });
    }
    case "webhook": {
      const body = JSON.stringify({ event: notice.event, severity: notice.severity, summary: notice.summary, url: notice.url, items: notice.items.slice(0, WEBHOOK_ITEMS), count: notice.count, sentAt: notice.sentAt });
      const timestamp = String(Math.floor(now / 1000));
      return { body, headers: { "content-type": "application/json", "x-fleetline-timestamp": timestamp, "x-fleetline-signature": `sha256=${sign(signingKey ?? "", timestamp, body)}` } };
    }
  }
}

/** HMAC-SHA256 over "<timestamp>.<body>", hex. */
export function sign(key: string, timestamp: string, body: string): string {
  return crypto.createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex");
}

const PLURAL: Record<NotificationEvent, (n: number, subject: string) => string> = {
  "configuration.non-compliant": (n, s) => `${s} became Non-Compliant on ${n} cluster${n === 1 ? "" : "s"}`,
  "configuration.unknown": (n, s) => `${s} became Unknown on ${n} cluster${n === 1 ? "" : "s"}`,
  "configuration.compliant": (n, s) => `${s} returned to Compliant on ${n} cluster${n === 1 ? "" : "s"}`,
  "drift.detected": (n, s) => `${s} started drifting on ${n} cluster${n === 1 ? "" : "s"}`,
  "rollout.failed": (n, s) => (n === 1 ? `A rollout of ${s} finished with failed clusters` : `${n} rollouts finished with failed clusters`),
  "rollout.halted": (n, s) => (n === 1 ? `A rollout of ${s} halted at a wave gate` : `${n} rollouts halted at a wave gate`),
  "rollout.approval": (n, s) => (n === 1 ? `A rollout of ${s} waits for approval` : `${n} rollouts wait for approval`),
  "rollout.finished": (n, s) => (n === 1 ? `A rollout of ${s} finished` : `${n} rollouts finished`),
  "cluster.unreachable": (n, s) => (n === 1 ? `Cluster ${s} is unreachable` : `${n} clusters became unreachable`),
  "cluster.reachable": (n, s) => (n === 1 ? `Cluster ${s} is reachable again` : `${n} clusters are reachable again`),
  // Waivers name no configuration or cluster: each item's detail says which one and when.
  "waiver.expiring": (n) => (n === 1 ? "A waiver is about to expire" : `${n} waivers are about to expire`),
};

/** "web became Non-Compliant on 300 clusters"; the subject is the one configuration (or cluster) when all share it. */
export function summarize(event: NotificationEvent, items: readonly NoticeItem[]): string {
  const configurations = new Set(items.map((i) => i.configuration ?? ""));
  const clusters = new Set(items.map((i) => i.cluster ?? ""));
  const subject = event.startsWith("cluster.")
    ? clusters.size === 1 ? [...clusters][0] || "?" : "several"
    : configurations.size === 1 ? [...configurations][0] || "a configuration" : `${configurations.size} configurations`;
  return PLURAL[event](items.length, subject);
}

export function severityOf(event: NotificationEvent): Severity {
  return EVENT_INFO[event].severity;
}
