"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/actions/form";
import type { ActionResult } from "@/lib/actions/result";
import { recordAudit } from "@/lib/audit";
import { auditActor, requirePermission } from "@/lib/auth/current";
import { formatSelector } from "@/lib/compliance/selector-text";
import { sendTestMessage } from "@/lib/notify/dispatch";
import { createChannel, createRule, deleteChannel, deleteRule, findChannel, ruleInputFromForm } from "@/lib/notify/store";

const PAGE = "/settings/notifications";

/** Creates a channel; its URL and signing key are sealed and never shown, logged or audited. */
export async function createNotificationChannelAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "notification-channel.create", targetType: "notification-channel", targetId: values.name?.slice(0, 63) ?? null };
  const actor = await requirePermission("settings.write", target);
  const result = createChannel(values, actor.user.email);
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  const c = result.channel;
  recordAudit({ ...target, targetId: c.name, actor: auditActor(actor), outcome: "success", details: { id: c.id, type: c.type, host: c.host } });
  revalidatePath(PAGE);
  return { status: "ok", message: `Created channel ${c.name}.` };
}

export async function deleteNotificationChannelAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).channelId ?? "";
  const target = { action: "notification-channel.delete", targetType: "notification-channel", targetId: id.slice(0, 100) };
  const actor = await requirePermission("settings.write", target);
  const deleted = deleteChannel(id);
  if (!deleted) return { status: "error", message: "That channel no longer exists." };
  recordAudit({ ...target, targetId: deleted.name, actor: auditActor(actor), outcome: "success", details: { id: deleted.id, type: deleted.type } });
  revalidatePath(PAGE);
  return { status: "ok", message: `Deleted channel ${deleted.name}.` };
}

/** Sends one test message now and answers with what the receiver said; the delivery log records it. */
export async function testNotificationChannelAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).channelId ?? "";
  const target = { action: "notification-channel.test", targetType: "notification-channel", targetId: id.slice(0, 100) };
  const actor = await requirePermission("settings.write", target);
  const channel = findChannel(id);
  if (!channel) return { status: "error", message: "That channel no longer exists." };
  const result = await sendTestMessage(channel, actor.user.email);
  recordAudit({ ...target, targetId: channel.name, actor: auditActor(actor), outcome: result.ok ? "success" : "failed", details: { id: channel.id, status: result.statusCode } });
  revalidatePath(PAGE);
  return result.ok ? { status: "ok", message: `Test message sent to ${channel.name} (HTTP ${result.statusCode}).` } : { status: "error", message: `Test message to ${channel.name} failed: ${result.error ?? "no answer"}.` };
}

export async function createNotificationRuleAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const values = formFields(form);
  const target = { action: "notification-rule.create", targetType: "notification-rule", targetId: values.name?.slice(0, 63) ?? null };
  const actor = await requirePermission("settings.write", target);
  const result = createRule(ruleInputFromForm(values), actor.user.email);
  if (result.status === "invalid") {
    recordAudit({ ...target, actor: auditActor(actor), outcome: "invalid", details: { fields: Object.keys(result.fieldErrors) } });
    return result;
  }
  const r = result.rule;
  recordAudit({
    ...target,
    targetId: r.name,
    actor: auditActor(actor),
    outcome: "success",
    details: { id: r.id, events: r.events, configurationId: r.configurationId, selector: r.selector ? formatSelector(r.selector) : null, minSeverity: r.minSeverity, channelIds: r.channelIds },
  });
  revalidatePath(PAGE);
  return { status: "ok", message: `Created rule ${r.name}.` };
}

export async function deleteNotificationRuleAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  const id = formFields(form).ruleId ?? "";
  const target = { action: "notification-rule.delete", targetType: "notification-rule", targetId: id.slice(0, 100) };
  const actor = await requirePermission("settings.write", target);
  const deleted = deleteRule(id);
  if (!deleted) return { status: "error", message: "That rule no longer exists." };
  recordAudit({ ...target, targetId: deleted.name, actor: auditActor(actor), outcome: "success", details: { id: deleted.id } });
  revalidatePath(PAGE);
  return { status: "ok", message: `Deleted rule ${deleted.name}.` };
}
