"use client";

import { useActionState } from "react";
import { useFormAction } from "@/components/ui/use-form-action";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { ROLES, type Role } from "@/db/enums";
import { idle, type FormState } from "@/lib/actions/result";
import { changeUserRoleAction, createUserAction, resetUserPasswordAction, setUserDisabledAction } from "./actions";

export function CreateUserForm() {
  const { state, pending, formProps } = useFormAction<FormState>(createUserAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3" noValidate>
      <Field id="new-name" label="Name" error={errors.name}>
        <input id="new-name" name="name" className="input" aria-invalid={Boolean(errors.name)} aria-describedby={describedBy("new-name", errors.name)} />
      </Field>
      <Field id="new-email" label="Email" error={errors.email}>
        <input id="new-email" name="email" type="email" className="input" aria-invalid={Boolean(errors.email)} aria-describedby={describedBy("new-email", errors.email)} />
      </Field>
      <Field id="new-password" label="Initial password" error={errors.password} hint="At least 12 characters; share it out of band.">
        <input id="new-password" name="password" type="password" autoComplete="new-password" className="input" aria-invalid={Boolean(errors.password)} aria-describedby={describedBy("new-password", errors.password)} />
      </Field>
      <Field id="new-role" label="Role" error={errors.role}>
        <select id="new-role" name="role" defaultValue="viewer" className="input">
          {ROLES.map((r) => (
            <option key={r} value={r}>{r}</option>
          ))}
        </select>
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-primary w-full" disabled={pending}>
        {pending ? "Creating…" : "Create user"}
      </button>
    </form>
  );
}

export function RoleSelect({ userId, email, role }: { userId: string; email: string; role: Role }) {
  const [state, action, pending] = useActionState<FormState, FormData>(changeUserRoleAction, idle);
  const id = `role-${userId}`;
  return (
    <form action={action} className="flex items-center gap-1">
      <input type="hidden" name="userId" value={userId} />
      <label htmlFor={id} className="sr-only">Role of {email}</label>
      <select id={id} name="role" defaultValue={role} className="input w-28 py-1">
        {ROLES.map((r) => (
          <option key={r} value={r}>{r}</option>
        ))}
      </select>
      <button type="submit" className="btn-secondary py-1" disabled={pending} aria-label={`Save role of ${email}`}>
        Save
      </button>
      {state.status === "invalid" ? <span role="alert" className="text-xs text-red-700">{Object.values(state.fieldErrors)[0]}</span> : null}
      {state.status === "error" ? <span role="alert" className="text-xs text-red-700">{state.message}</span> : null}
    </form>
  );
}

export function DisableToggle({ userId, email, isDisabled }: { userId: string; email: string; isDisabled: boolean }) {
  const [state, action, pending] = useActionState<FormState, FormData>(setUserDisabledAction, idle);
  return (
    <form action={action}>
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="disabled" value={isDisabled ? "false" : "true"} />
      <button type="submit" className={isDisabled ? "btn-secondary py-1" : "btn-danger py-1"} disabled={pending}>
        {isDisabled ? `Enable ${email}` : `Disable ${email}`}
      </button>
      {state.status === "error" ? <p role="alert" className="text-xs text-red-700">{state.message}</p> : null}
    </form>
  );
}

export function ResetPassword({ userId, email }: { userId: string; email: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(resetUserPasswordAction, idle);
  const id = `reset-${userId}`;
  const error = state.status === "invalid" ? state.fieldErrors.password : undefined;
  return (
    <details>
      <summary className="cursor-pointer text-xs text-sky-800 dark:text-sky-300">Reset password</summary>
      <form action={action} className="mt-1 flex items-start gap-1">
        <input type="hidden" name="userId" value={userId} />
        <label htmlFor={id} className="sr-only">New password for {email}</label>
        <input id={id} name="password" type="password" autoComplete="new-password" className="input py-1" aria-invalid={Boolean(error)} />
        <button type="submit" className="btn-secondary py-1" disabled={pending}>Set</button>
      </form>
      {error ? <p role="alert" className="text-xs text-red-700">Password: {error}</p> : null}
      {state.status === "ok" || state.status === "error" ? <p role="status" className="text-xs">{state.message}</p> : null}
    </details>
  );
}
