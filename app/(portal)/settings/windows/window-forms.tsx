"use client";

import { useActionState, useState } from "react";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { idle, type FormState } from "@/lib/actions/result";
import { SELECTOR_SYNTAX_HINT } from "@/lib/compliance/selector-text";
import { createWindowAction, deleteWindowAction } from "./actions";

function Input({ name, label, errors, hint, type = "text", placeholder }: { name: string; label: string; errors: Record<string, string>; hint?: string; type?: string; placeholder?: string }) {
  const id = `win-${name}`;
  const error = errors[name];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input id={id} name={name} type={type} placeholder={placeholder} autoComplete="off" className="input" aria-invalid={Boolean(error)} aria-describedby={describedBy(id, error)} />
    </Field>
  );
}

/** A deny window (a freeze) or an allow window, recurring (cron + minutes) or once (a range). */
export function CreateWindowForm() {
  const [schedule, setSchedule] = useState<"recurring" | "once">("recurring");
  const { state, pending, formProps } = useFormAction<FormState>(createWindowAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3" noValidate>
      <Input name="name" label="Name" errors={errors} hint="A DNS label, e.g. prod-weekend-freeze" />
      <div>
        <label htmlFor="win-kind" className="block text-sm font-medium">Kind</label>
        <select id="win-kind" name="kind" defaultValue="deny" className="input">
          <option value="deny">Deny: no pushes while open (a freeze)</option>
          <option value="allow">Allow: matching clusters take pushes only while open</option>
        </select>
      </div>
      <Input name="selector" label="Clusters (label selector)" errors={errors} hint={SELECTOR_SYNTAX_HINT} placeholder="env=prod" />
      <div>
        <label htmlFor="win-schedule" className="block text-sm font-medium">Schedule</label>
        <select id="win-schedule" name="schedule" value={schedule} onChange={(e) => setSchedule(e.target.value as "recurring" | "once")} className="input">
          <option value="recurring">Recurring (cron)</option>
          <option value="once">Once (from, until)</option>
        </select>
      </div>
      {schedule === "recurring" ? (
        <>
          <Input name="cron" label="Starts (cron)" errors={errors} hint="minute hour day month weekday: 0 22 * * 5 is Fridays at 22:00" placeholder="0 22 * * 5" />
          <Input name="durationMinutes" label="Open for (minutes)" errors={errors} hint="Up to 10080 (a week); 3360 is Friday 22:00 to Monday 06:00" placeholder="480" />
        </>
      ) : (
        <>
          <Input name="startsAt" label="From" errors={errors} type="datetime-local" />
          <Input name="endsAt" label="Until" errors={errors} type="datetime-local" />
        </>
      )}
      <Input name="timeZone" label="Time zone" errors={errors} hint="An IANA name such as Europe/Berlin; times above are read in it" placeholder="UTC" />
      <Input name="reason" label="Reason" errors={errors} hint="Shown with the window, e.g. year-end change freeze" />
      <FormMessage state={state} />
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Create window"}</button>
    </form>
  );
}

export function DeleteWindowButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(deleteWindowAction, idle);
  return (
    <form action={action}>
      <input type="hidden" name="windowId" value={id} />
      <button type="submit" className="btn-secondary py-1" disabled={pending} aria-label={`Delete window ${name}`}>Delete</button>
      {state.status === "error" ? <p role="alert" className="text-xs text-red-700">{state.message}</p> : null}
    </form>
  );
}
