"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useFormAction } from "@/components/ui/use-form-action";
import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { idle, type FormState } from "@/lib/actions/result";
import { deleteConfigurationAction, pushConfigurationAction, rollbackConfigurationAction } from "../actions";

export function PushButton({ configurationId, version }: { configurationId: string; version: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex items-center gap-2">
      <button
        type="button"
        className="btn-primary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await pushConfigurationAction(configurationId);
            if (result.status === "ok") router.push(`/configurations/${configurationId}?rollout=${result.rolloutId}`);
            else setError(result.message);
          })
        }
      >
        {pending ? "Starting…" : `Push v${version}`}
      </button>
      {error ? <span role="alert" className="text-sm text-red-700">{error}</span> : null}
    </div>
  );
}

export function DeleteConfigurationForm({ configurationId, name }: { configurationId: string; name: string }) {
  const { state, pending, formProps } = useFormAction<FormState>(deleteConfigurationAction, idle);
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3">
      <input type="hidden" name="configurationId" value={configurationId} />
      <fieldset className="space-y-1 text-sm">
        <legend className="font-medium">Objects on the clusters</legend>
        <label className="flex items-center gap-2"><input type="radio" name="objects" value="remove" defaultChecked /> Remove them from every cluster</label>
        <label className="flex items-center gap-2"><input type="radio" name="objects" value="orphan" /> Leave them running, unmanaged</label>
      </fieldset>
      <Field id="confirm" label={`Type ${name} to confirm`} error={errors.confirm}>
        <input id="confirm" name="confirm" autoComplete="off" className="input font-mono" aria-invalid={Boolean(errors.confirm)} aria-describedby={describedBy("confirm", errors.confirm)} />
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-danger" disabled={pending}>{pending ? "Deleting…" : "Delete configuration"}</button>
    </form>
  );
}

export function RollbackButton({ configurationId, version }: { configurationId: string; version: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn-secondary py-1"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await rollbackConfigurationAction(configurationId, version);
            if (result.status === "ok") router.push(`/configurations/${configurationId}${result.rolloutId ? `?rollout=${result.rolloutId}` : ""}`);
            else setError(result.message);
          })
        }
      >
        {pending ? "Rolling back…" : `Roll back to v${version}`}
      </button>
      {error ? <span role="alert" className="text-xs text-red-700">{error}</span> : null}
    </span>
  );
}

/** One click to re-push the current version to a drifted cluster. */
export function RepushButton({ configurationId, clusterId, clusterName }: { configurationId: string; clusterId: string; clusterName: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className="btn-primary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await pushConfigurationAction(configurationId, [clusterId]);
            if (result.status === "ok") router.push(`/configurations/${configurationId}?rollout=${result.rolloutId}`);
            else setError(result.message);
          })
        }
      >
        {pending ? "Re-pushing…" : `Re-push to ${clusterName}`}
      </button>
      {error ? <span role="alert" className="text-xs text-red-700">{error}</span> : null}
    </span>
  );
}
