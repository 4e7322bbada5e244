"use client";

import Link from "@/components/ui/link";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { idle, type FormState } from "@/lib/actions/result";
import { createFirstAdminAction } from "./actions";

const FIELDS = [
  { name: "name", label: "Name", type: "text", autoComplete: "name" },
  { name: "email", label: "Email", type: "email", autoComplete: "username" },
  { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: "At least 12 characters." },
  { name: "confirm", label: "Confirm password", type: "password", autoComplete: "new-password" },
] as const;

export function SetupForm() {
  // Submitted through a transition, not the action prop: React would clear every field after a refusal.
  const { state, pending, formProps } = useFormAction<FormState>(createFirstAdminAction, idle);
  if (state.status === "ok") {
    return (
      <div className="space-y-4">
        <FormMessage state={state} />
        <Link href="/login" className="btn-primary w-full">Go to sign in</Link>
      </div>
    );
  }
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-4" noValidate>
      {FIELDS.map((f) => (
        <Field key={f.name} id={f.name} label={f.label} error={errors[f.name]} hint={"hint" in f ? f.hint : undefined}>
          <input
            id={f.name}
            name={f.name}
            type={f.type}
            autoComplete={f.autoComplete}
            required
            className="input"
            aria-invalid={Boolean(errors[f.name])}
            aria-describedby={describedBy(f.name, errors[f.name])}
          />
        </Field>
      ))}
      <FormMessage state={state} />
      <button type="submit" className="btn-primary w-full" disabled={pending}>
        {pending ? "Creating…" : "Create administrator"}
      </button>
    </form>
  );
}
