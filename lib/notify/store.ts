import "server-only";
import crypto from "node:crypto";
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { configurations } from "@/db/schema-configurations";
import { notificationChannels, notificationDeliveries, notificationRules, type NotificationChannel, type NotificationDelivery, type NotificationRule } from "@/db/schema-notifications";
import { fieldErrors } from "@/lib/actions/result";
import { parseSelectorText } from "@/lib/compliance/selector-text";
import { invalidResult } from "@/lib/configurations/validate";
import { decrypt, encrypt } from "@/lib/crypto";
import { env } from "@/lib/env";
import { isEmptySelector } from "@/lib/validation/label-selector";
import { checkNotificationUrl, displayHost } from "./url";
import { CHANNEL_TYPES, NOTIFICATION_EVENTS, SEVERITIES, type ChannelType } from "./vocabulary";
import { isUniqueViolation } from "@/db/errors";

const NAME = z
  .string()
  .trim()
  .min(1, "is required")
  .max(63, "must be at most 63 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "may contain letters, digits, spaces, '.', '_' and '-', starting with a letter or digit");

export const allowLocalTargets = () => env().FLEETLINE_ALLOW_LOCAL_SOURCES;

const channelSchema = z
  .object({
    name: NAME,
    type: z.enum(CHANNEL_TYPES, { error: "choose a channel type" }),
    url: z.string().trim().superRefine((url, ctx) => {
      const problem = checkNotificationUrl(url, { allowLocal: allowLocalTargets() });
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    signingKey: z.string().default(""),
  })
  .superRefine((input, ctx) => {
    if (input.type !== "webhook") return;
    if (input.signingKey.length < 16 || input.signingKey.length > 256) ctx.addIssue({ code: "custom", path: ["signingKey"], message: "must be 16 to 256 characters (a long random string)" });
  });

type Secret = { url: string; signingKey?: string };
const sealContext = (id: string) => `notification-channel:${id}`;

export function openChannel(channel: NotificationChannel): Secret {
  return JSON.parse(decrypt(channel.secret, sealContext(channel.id))) as Secret;
}

export type ChannelResult = { status: "ok"; channel: NotificationChannel } | ReturnType<typeof invalidResult>;

export function createChannel(input: unknown, author: string): ChannelResult {
  const parsed = channelSchema.safeParse(input);
  if (!parsed.success) return invalidResult(fieldErrors(parsed.error));
  const { name, type, url, signingKey } = parsed.data;
  const id = crypto.randomUUID();
  const secret: Secret = type === "webhook" ? { url, signingKey } : { url };
  const now = new Date();
  try {
    const channel = getDb()
      .insert(notificationChannels)
      .values({ id, name, type, secret: encrypt(JSON.stringify(secret), sealContext(id)), host: displayHost(url), createdBy: author, createdAt: now, updatedAt: now })
      .returning()
      .get();
    return { status: "ok", channel };
  } catch (error) {
    if (isUniqueViolation(error, "notification_channels", "name")) return invalidResult({ name: "is already used by another channel" });
    throw error;
  }
}

export function listChannels(): NotificationChannel[] {
  return getDb().select().from(notificationChannels).orderBy(asc(notificationChannels.name)).all();
}

export function findChannel(id: string): NotificationChannel | undefined {
  return getDb().select().from(notificationChannels).where(eq(notificationChannels.id, id)).get();
}

/** Deletes the channel and takes it out of every rule, in one immediate transaction (read, then write). */
export function deleteChannel(id: string): NotificationChannel | undefined {
  return getDb().transaction(
    (tx) => {
      const deleted = tx.delete(notificationChannels).where(eq(notificationChannels.id, id)).returning().get();
      if (!deleted) return undefined;
      for (const rule of tx.select().from(notificationRules).all()) {
        if (rule.channelIds.includes(id)) tx.update(notificationRules).set({ channelIds: rule.channelIds.filter((c) => c !== id) }).where(eq(notificationRules.id, rule.id)).run();
      }
      return deleted;
    },
    { behavior: "immediate" },
  );
}

const ruleSchema = z.object({
  name: NAME,
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1, "choose at least one event"),
  configurationId: z.string().trim().max(100).default(""),
  selector: z
    .string()
    .trim()
    .max(4096, "must be at most 4096 characters")
    .default("")
    .transform((value, ctx) => {
      if (value === "") return null;
      const parsed = parseSelectorText(value);
      if (parsed.ok) return isEmptySelector(parsed.selector) ? null : parsed.selector;
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }),
  minSeverity: z.enum(SEVERITIES, { error: "choose info, warning or critical" }),
  channelIds: z.array(z.string()).min(1, "choose at least one channel"),
});

/** Form fields `event:<type>` and `channel:<id>` (checkboxes) become the lists the schema reads. */
export function ruleInputFromForm(values: Record<string, string>): Record<string, unknown> {
  const picked = (prefix: string) => Object.keys(values).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  return { name: values.name, configurationId: values.configurationId, selector: values.selector, minSeverity: values.minSeverity, events: picked("event:"), channelIds: picked("channel:") };
}

export type RuleResult = { status: "ok"; rule: NotificationRule } | ReturnType<typeof invalidResult>;

export function createRule(input: unknown, author: string): RuleResult {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) return invalidResult(fieldErrors(parsed.error));
  const { name, events, configurationId, selector, minSeverity, channelIds } = parsed.data;
  const db = getDb();
  return db.transaction(
    (tx): RuleResult => {
      const known = new Set(tx.select({ id: notificationChannels.id }).from(notificationChannels).all().map((c) => c.id));
      if (channelIds.some((id) => !known.has(id))) return invalidResult({ channelIds: "names a channel that does not exist" });
      if (configurationId && !tx.select({ id: configurations.id }).from(configurations).where(and(eq(configurations.id, configurationId), isNull(configurations.deletedAt))).get()) {
        return invalidResult({ configurationId: "is not a configuration" });
      }
      if (tx.select({ id: notificationRules.id }).from(notificationRules).where(eq(notificationRules.name, name)).get()) return invalidResult({ name: "is already used by another rule" });
      const rule = tx
        .insert(notificationRules)
        .values({ id: crypto.randomUUID(), name, events: [...new Set(events)], configurationId: configurationId || null, selector, minSeverity, channelIds: [...new Set(channelIds)], createdBy: author, createdAt: new Date() })
        .returning()
        .get();
      return { status: "ok", rule };
    },
    { behavior: "immediate" },
  );
}

export function listRules(): NotificationRule[] {
  return getDb().select().from(notificationRules).orderBy(asc(notificationRules.name)).all();
}

export function deleteRule(id: string): NotificationRule | undefined {
  return getDb().delete(notificationRules).where(eq(notificationRules.id, id)).returning().get();
}

export function listDeliveries(limit = 100): NotificationDelivery[] {
  return getDb().select().from(notificationDeliveries).orderBy(desc(notificationDeliveries.id)).limit(limit).all();
}

export function recordDelivery(row: Omit<NotificationDelivery, "id">): void {
  getDb().insert(notificationDeliveries).values(row).run();
}

export type { ChannelType };
