"use client";

import { useActionState, useState } from "react";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { idle, type FormState } from "@/lib/actions/result";
import { SELECTOR_SYNTAX_HINT } from "@/lib/compliance/selector-text";
import { CHANNEL_TYPES, CHANNEL_TYPE_LABELS, EVENT_INFO, NOTIFICATION_EVENTS, SEVERITIES, type ChannelType } from "@/lib/notify/vocabulary";
import { createNotificationChannelAction, createNotificationRuleAction, deleteNotificationChannelAction, deleteNotificationRuleAction, testNotificationChannelAction } from "./actions";

// Two forms on one page: ids carry the form's prefix, or a label would name the other form's field.
function Input({ form, name, label, errors, hint, type = "text", placeholder }: { form: "channel" | "rule"; name: string; label: string; errors: Record<string, string>; hint?: string; type?: string; placeholder?: string }) {
  const id = `${form}-${name}`;
  const error = errors[name];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input id={id} name={name} type={type} placeholder={placeholder} autoComplete="off" className="input" aria-invalid={Boolean(error)} aria-describedby={describedBy(id, error)} />
    </Field>
  );
}

export function CreateChannelForm() {
  const [type, setType] = useState<ChannelType>("slack");
  const { state, pending, formProps } = useFormAction<FormState>(createNotificationChannelAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3" noValidate>
      <Input form="channel" name="name" label="Channel name" errors={errors} hint="e.g. platform-alerts" />
      <div>
        <label htmlFor="channel-type" className="block text-sm font-medium">Type</label>
        <select id="channel-type" name="type" value={type} onChange={(e) => setType(e.target.value as ChannelType)} className="input">
          {CHANNEL_TYPES.map((t) => <option key={t} value={t}>{CHANNEL_TYPE_LABELS[t]}</option>)}
        </select>
      </div>
      <Input form="channel" name="url" label="Webhook URL" type="password" errors={errors} hint="https:// only. Kept sealed and never shown again." />
      {type === "webhook" ? <Input form="channel" name="signingKey" label="Signing key" type="password" errors={errors} hint="16 to 256 characters; the receiver checks X-Fleetline-Signature with it" /> : null}
      <FormMessage state={state} />
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Create channel"}</button>
    </form>
  );
}

export function CreateRuleForm({ channels, configurations }: { channels: { id: string; name: string }[]; configurations: { id: string; name: string }[] }) {
  const { state, pending, formProps } = useFormAction<FormState>(createNotificationRuleAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3" noValidate>
      <Input form="rule" name="name" label="Rule name" errors={errors} hint="e.g. prod-compliance" />
      <fieldset>
        <legend className="text-sm font-medium">Events</legend>
        {NOTIFICATION_EVENTS.map((e) => (
          <label key={e} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name={`event:${e}`} /> {EVENT_INFO[e].label} <span className="text-xs text-zinc-500">({EVENT_INFO[e].severity})</span>
          </label>
        ))}
        {errors.events ? <p role="alert" className="text-xs font-medium text-red-700">Events {errors.events}</p> : null}
      </fieldset>
      <div>
        <label htmlFor="rule-configurationId" className="block text-sm font-medium">Configuration</label>
        <select id="rule-configurationId" name="configurationId" defaultValue="" className="input">
          <option value="">Every configuration</option>
          {configurations.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
        {errors.configurationId ? <p role="alert" className="text-xs font-medium text-red-700">Configuration {errors.configurationId}</p> : null}
      </div>
      <Input form="rule" name="selector" label="Clusters (label selector)" errors={errors} hint={`Empty: every cluster. ${SELECTOR_SYNTAX_HINT}`} placeholder="env=prod" />
      <div>
        <label htmlFor="rule-minSeverity" className="block text-sm font-medium">Lowest severity</label>
        <select id="rule-minSeverity" name="minSeverity" defaultValue="info" className="input">
          {SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <fieldset>
        <legend className="text-sm font-medium">Send to</legend>
        {channels.map((c) => (
          <label key={c.id} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name={`channel:${c.id}`} /> {c.name}
          </label>
        ))}
        {errors.channelIds ? <p role="alert" className="text-xs font-medium text-red-700">Channels {errors.channelIds}</p> : null}
      </fieldset>
      <FormMessage state={state} />
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Create rule"}</button>
    </form>
  );
}

function RowButton({ action, field, id, label, ariaLabel }: { action: (prev: FormState, form: FormData) => Promise<FormState>; field: string; id: string; label: string; ariaLabel: string }) {
  const [state, dispatch, pending] = useActionState<FormState, FormData>(action, idle);
  return (
    <form action={dispatch} className="inline-block">
      <input type="hidden" name={field} value={id} />
      <button type="submit" className="btn-secondary py-1" disabled={pending} aria-label={ariaLabel}>{pending ? "…" : label}</button>
      {state.status === "error" ? <p role="alert" className="text-xs text-red-700">{state.message}</p> : state.status === "ok" && state.message ? <p role="status" className="text-xs text-green-700">{state.message}</p> : null}
    </form>
  );
}

export function TestChannelButton({ id, name }: { id: string; name: string }) {
  return <RowButton action={testNotificationChannelAction} field="channelId" id={id} label="Send test message" ariaLabel={`Send test message to ${name}`} />;
}

export function DeleteChannelButton({ id, name }: { id: string; name: string }) {
  return <RowButton action={deleteNotificationChannelAction} field="channelId" id={id} label="Delete" ariaLabel={`Delete channel ${name}`} />;
}

export function DeleteRuleButton({ id, name }: { id: string; name: string }) {
  return <RowButton action={deleteNotificationRuleAction} field="ruleId" id={id} label="Delete" ariaLabel={`Delete rule ${name}`} />;
}
