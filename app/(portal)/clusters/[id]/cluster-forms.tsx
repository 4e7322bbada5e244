"use client";

import { useActionState, useRef, startTransition, type FormEvent } from "react";
import { useFormAction } from "@/components/ui/use-form-action";
import { CredentialFields } from "@/components/clusters/credential-fields";
import { TypedDeleteForm } from "@/components/ui/typed-delete-form";
import { ConnectionResult } from "@/components/clusters/connection-result";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { idle, type FormState } from "@/lib/actions/result";
import { deleteClusterAction, rotateClusterCredentialsAction, setReconcilerAction, updateClusterLabelsAction, type RegisterResult } from "../actions";

export function LabelsForm({ clusterId, labelsText }: { clusterId: string; labelsText: string }) {
  const { state, pending, formProps } = useFormAction<FormState>(updateClusterLabelsAction, idle);
  const error = state.status === "invalid" ? state.fieldErrors.labels : undefined;
  return (
    <form {...formProps} className="space-y-3">
      <input type="hidden" name="clusterId" value={clusterId} />
      <Field id="labels" label="Labels" error={error} hint="key=value pairs separated by commas or lines. Configurations targeting a label selector follow these.">
        <textarea id="labels" name="labels" rows={3} defaultValue={labelsText} className="input font-mono" aria-invalid={Boolean(error)} aria-describedby={describedBy("labels", error)} />
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Saving…" : "Save labels"}</button>
    </form>
  );
}

export function RotateCredentialsForm({ clusterId }: { clusterId: string }) {
  const [state, submit, pending] = useActionState<RegisterResult, FormData>(rotateClusterCredentialsAction, { status: "idle" });
  const formRef = useRef<HTMLFormElement>(null);
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  function send(saveUnreachable: boolean) {
    if (!formRef.current) return;
    const data = new FormData(formRef.current);
    data.set("saveUnreachable", String(saveUnreachable));
    startTransition(() => submit(data));
  }
  return (
    <form
      ref={formRef}
      method="post"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        send(false);
      }}
      className="space-y-3"
      noValidate
    >
      <input type="hidden" name="clusterId" value={clusterId} />
      <CredentialFields errors={errors} contexts={"contexts" in state ? state.contexts : []} />
      <ConnectionResult state={state} pending={pending} onSaveAnyway={() => send(true)} />
      <button type="submit" className="btn-primary" disabled={pending}>{pending ? "Checking…" : "Replace credentials"}</button>
    </form>
  );
}

export function ReconcilerForm({ clusterId, override }: { clusterId: string; override: string | null }) {
  // Not the action prop: React resets the form after it, so the select would show the old value
  // and a second Save would revert the change.
  const { state, pending, formProps } = useFormAction<FormState>(setReconcilerAction, idle);
  return (
    <form {...formProps} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="clusterId" value={clusterId} />
      <div>
        <label htmlFor="reconciler" className="block text-sm font-medium">Reconciler</label>
        <select id="reconciler" name="reconciler" defaultValue={override ?? "auto"} className="input">
          <option value="auto">Detect automatically</option>
          <option value="flux">Flux</option>
          <option value="argocd">Argo CD</option>
        </select>
      </div>
      <button type="submit" className="btn-secondary" disabled={pending}>Save</button>
      <FormMessage state={state} />
    </form>
  );
}

export function DeleteClusterForm({ clusterId, name }: { clusterId: string; name: string }) {
  return (
    <TypedDeleteForm
      action={deleteClusterAction}
      hidden={{ clusterId }}
      name={name}
      legend="Objects Fleetline created on the cluster"
      choices={[
        { value: "remove", label: "Remove them (sources, Kustomizations, Helm releases, Secrets)" },
        { value: "leave", label: "Leave them running, unmanaged" },
      ]}
      button="Delete cluster"
    />
  );
}
