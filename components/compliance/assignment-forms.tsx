"use client";

import { useActionState } from "react";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { idle, type ActionResult, type FormState } from "@/lib/actions/result";
import { SELECTOR_SYNTAX_HINT } from "@/lib/compliance/selector-text";

type Action = (prev: FormState, form: FormData) => Promise<ActionResult>;
export type ConfigurationOption = { id: string; name: string };
export type AssignmentValues = { id: string; name: string; configurationId: string; selector: string };

/** Create (no `initial`) or edit an audit-only assignment; what was typed stays when the server refuses it. */
export function AssignmentForm({ action, configurations, initial }: { action: Action; configurations: ConfigurationOption[]; initial?: AssignmentValues }) {
  const { state, pending, formProps } = useFormAction<FormState>(action, idle, { resetOnSuccess: !initial });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  const prefix = initial ? `edit-${initial.id}` : "new-assignment";
  return (
    <form {...formProps} className="space-y-3" noValidate>
      {initial ? <input type="hidden" name="assignmentId" value={initial.id} /> : null}
      <Field id={`${prefix}-name`} label="Name" error={errors.name} hint="Lowercase letters, digits and '-', e.g. baseline-prod.">
        <input id={`${prefix}-name`} name="name" defaultValue={initial?.name} className="input font-mono" aria-invalid={Boolean(errors.name)} aria-describedby={describedBy(`${prefix}-name`, errors.name)} />
      </Field>
      <Field id={`${prefix}-configuration`} label="Configuration" error={errors.configurationId}>
        <select id={`${prefix}-configuration`} name="configurationId" defaultValue={initial?.configurationId ?? ""} className="input" aria-invalid={Boolean(errors.configurationId)} aria-describedby={describedBy(`${prefix}-configuration`, errors.configurationId)}>
          <option value="" disabled>Choose…</option>
          {configurations.map((c) => (
            <option key={c.id} value={c.id}>{c.name}</option>
          ))}
        </select>
      </Field>
      <Field id={`${prefix}-selector`} label="Cluster selector" error={errors.selector} hint={SELECTOR_SYNTAX_HINT}>
        <input id={`${prefix}-selector`} name="selector" defaultValue={initial?.selector} placeholder="env=prod, region in (eu-west,eu-north)" className="input font-mono" aria-invalid={Boolean(errors.selector)} aria-describedby={describedBy(`${prefix}-selector`, errors.selector)} />
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-primary w-full" disabled={pending}>
        {pending ? "Saving…" : initial ? `Save ${initial.name}` : "Create assignment"}
      </button>
    </form>
  );
}

/** Deleting asks for the name typed out, like every destructive action. */
export function DeleteAssignmentForm({ action, id, name }: { action: Action; id: string; name: string }) {
  const [state, dispatch, pending] = useActionState<FormState, FormData>(action, idle);
  const inputId = `delete-${id}`;
  const error = state.status === "invalid" ? state.fieldErrors.confirm : undefined;
  return (
    <form action={dispatch} className="space-y-2">
      <input type="hidden" name="assignmentId" value={id} />
      <Field id={inputId} label={`Type ${name} to delete it`} error={error}>
        <input id={inputId} name="confirm" autoComplete="off" className="input font-mono" aria-invalid={Boolean(error)} aria-describedby={describedBy(inputId, error)} />
      </Field>
      {state.status === "error" ? <p role="alert" className="text-xs text-red-700">{state.message}</p> : null}
      <button type="submit" className="btn-danger" disabled={pending}>Delete {name}</button>
    </form>
  );
}
