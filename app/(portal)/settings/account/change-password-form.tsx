"use client";

import { useFormAction } from "@/components/ui/use-form-action";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { idle, type FormState } from "@/lib/actions/result";
import { changeOwnPasswordAction } from "./actions";

const FIELDS = [
  { name: "current", label: "Current password", autoComplete: "current-password" },
  { name: "password", label: "New password", autoComplete: "new-password" },
  { name: "confirm", label: "Confirm new password", autoComplete: "new-password" },
] as const;

export function ChangePasswordForm() {
  const { state, pending, formProps } = useFormAction<FormState>(changeOwnPasswordAction, idle);
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3" noValidate>
      {FIELDS.map((f) => (
        <Field key={f.name} id={f.name} label={f.label} error={errors[f.name]}>
          <input id={f.name} name={f.name} type="password" autoComplete={f.autoComplete} className="input" aria-invalid={Boolean(errors[f.name])} aria-describedby={describedBy(f.name, errors[f.name])} />
        </Field>
      ))}
      <FormMessage state={state} />
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Change password"}</button>
    </form>
  );
}
