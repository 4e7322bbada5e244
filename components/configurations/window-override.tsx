"use client";

import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { idle, type ActionResult, type FormState } from "@/lib/actions/result";

export type OverrideAction = (prev: FormState, form: FormData) => Promise<ActionResult>;

/** For admins, under a push some clusters of which a maintenance window holds. */
export function WindowOverrideForm({ rolloutId, held, action }: { rolloutId: string; held: number; action: OverrideAction }) {
  const { state, pending, formProps } = useFormAction<FormState>(action, idle);
  const id = `override-${rolloutId}`;
  const error = state.status === "invalid" ? state.fieldErrors.reason : undefined;
  return (
    <form {...formProps} className="mt-3 space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950" noValidate>
      <input type="hidden" name="rolloutId" value={rolloutId} />
      <Field id={id} label={`Push to the ${held === 1 ? "held cluster" : `${held} held clusters`} now, despite the window`} error={error} hint="An admin's override of this push only; the reason is audited.">
        <input id={id} name="reason" autoComplete="off" className="input" placeholder="Reason, e.g. hotfix for CVE-2026-1234" aria-invalid={Boolean(error)} aria-describedby={describedBy(id, error)} />
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-danger" disabled={pending}>{pending ? "Overriding…" : "Override the window"}</button>
    </form>
  );
}
