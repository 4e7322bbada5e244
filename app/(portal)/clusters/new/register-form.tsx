"use client";

import { useActionState, useRef, startTransition, type FormEvent } from "react";
import { CredentialFields } from "@/components/clusters/credential-fields";
import { ConnectionResult } from "@/components/clusters/connection-result";
import { Field, describedBy } from "@/components/ui/field";
import { useHydrated } from "@/components/ui/use-hydrated";
import { checkClusterAction, registerClusterAction, type RegisterResult } from "../actions";

async function dispatch(prev: RegisterResult, form: FormData): Promise<RegisterResult> {
  return form.get("intent") === "check" ? checkClusterAction(prev, form) : registerClusterAction(prev, form);
}

export function RegisterClusterForm() {
  const [state, submit, pending] = useActionState<RegisterResult, FormData>(dispatch, { status: "idle" });
  const hydrated = useHydrated();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  const contexts = "contexts" in state ? (state.contexts ?? []) : [];

  // Submitting through a transition (not the form's action prop) keeps what was typed after a failure.
  // Once confirmed, a later "save anyway" (unreachable) keeps the confirmation.
  const sameServerConfirmed = useRef(false);
  function send(intent: "check" | "register", saveUnreachable = false, confirmSameServer = sameServerConfirmed.current) {
    if (!formRef.current) return;
    sameServerConfirmed.current = confirmSameServer;
    const data = new FormData(formRef.current);
    data.set("intent", intent);
    data.set("saveUnreachable", String(saveUnreachable));
    data.set("confirmSameServer", String(confirmSameServer));
    startTransition(() => submit(data));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    send(submitter?.value === "check" ? "check" : "register");
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} method="post" noValidate>
      <fieldset disabled={!hydrated} className="min-w-0 space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="name" label="Name" error={errors.name} hint="A DNS label: lowercase letters, digits and '-', e.g. prod-eu-1.">
          <input id="name" name="name" autoComplete="off" className="input font-mono" aria-invalid={Boolean(errors.name)} aria-describedby={describedBy("name", errors.name)} />
        </Field>
        <Field id="displayName" label="Display name" error={errors.displayName} hint="Optional; defaults to the name.">
          <input id="displayName" name="displayName" className="input" aria-invalid={Boolean(errors.displayName)} aria-describedby={describedBy("displayName", errors.displayName)} />
        </Field>
      </div>
      <Field id="labels" label="Labels" error={errors.labels} hint="key=value pairs separated by commas: env=prod, region=eu-west">
        <input id="labels" name="labels" autoComplete="off" className="input font-mono" aria-invalid={Boolean(errors.labels)} aria-describedby={describedBy("labels", errors.labels)} />
      </Field>
      <CredentialFields errors={errors} contexts={contexts} />
      <ConnectionResult state={state} pending={pending} onSaveAnyway={() => send("register", true)} />
      {state.status === "same-server" ? (
        <div role="alert" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <p>{state.message}</p>
          <button type="button" className="btn-secondary" disabled={pending} onClick={() => send("register", false, true)}>
            Register this API server again
          </button>
        </div>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" value="check" className="btn-secondary" disabled={pending}>
          {pending ? "Working…" : "Check connection"}
        </button>
        <button type="submit" value="register" className="btn-primary" disabled={pending}>
          Register cluster
        </button>
      </div>
      </fieldset>
    </form>
  );
}
