"use client";

import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { ROLES, type Role } from "@/db/enums";
import { idle, type FormState } from "@/lib/actions/result";
import { createTokenAction, revokeTokenAction } from "./actions";

/** Name, expiry (days) and role (at most the user's own); the token appears once, below. */
export function CreateTokenForm({ ownRole }: { ownRole: Role }) {
  const { state, pending, formProps } = useFormAction<FormState<{ token: string }>>(createTokenAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  const roles = ROLES.slice(ROLES.indexOf(ownRole));
  return (
    <form {...formProps} className="space-y-3" noValidate aria-label="Create an API token">
      <Field id="token-name" label="Name" error={errors.name} hint="What it is for, e.g. deploy-pipeline">
        <input id="token-name" name="name" autoComplete="off" className="input" aria-invalid={Boolean(errors.name)} aria-describedby={describedBy("token-name", errors.name)} />
      </Field>
      <Field id="token-expiresInDays" label="Expires after (days)" error={errors.expiresInDays} hint="1 to 365">
        <input id="token-expiresInDays" name="expiresInDays" inputMode="numeric" defaultValue="90" className="input" aria-invalid={Boolean(errors.expiresInDays)} aria-describedby={describedBy("token-expiresInDays", errors.expiresInDays)} />
      </Field>
      <Field id="token-role" label="Role" error={errors.role} hint="Your own, or narrower">
        <select id="token-role" name="role" defaultValue={ownRole} className="input" aria-invalid={Boolean(errors.role)} aria-describedby={describedBy("token-role", errors.role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <FormMessage state={state} />
      {state.status === "ok" && state.data ? (
        <div className="space-y-1">
          <label htmlFor="new-token" className="block text-sm font-medium">
            Your new token (shown once)
          </label>
          <input id="new-token" readOnly value={state.data.token} className="input font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
        </div>
      ) : null}
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? "Creating…" : "Create token"}
      </button>
    </form>
  );
}

export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const { state, pending, formProps } = useFormAction<FormState>(revokeTokenAction, idle);
  return (
    <form {...formProps}>
      <input type="hidden" name="tokenId" value={tokenId} />
      <button type="submit" className="btn-secondary" disabled={pending} aria-label={`Revoke ${name}`}>
        Revoke
      </button>
      <FormMessage state={state} />
    </form>
  );
}
