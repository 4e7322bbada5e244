"use client";

import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { POLICY_ENGINES } from "@/db/enums";
import { idle, type FormState } from "@/lib/actions/result";
import { SELECTOR_SYNTAX_HINT } from "@/lib/compliance/selector-text";
import { decideWaiverAction, requestWaiverAction } from "./waiver-actions";

const ENGINE_LABELS: Record<(typeof POLICY_ENGINES)[number], string> = { gatekeeper: "Gatekeeper constraint", policyreport: "Policy report (wgpolicyk8s.io)", openreports: "OpenReports" };

export type WaiverPrefill = { engine?: string; policy?: string; resourceKind?: string; resourceNamespace?: string; resourceName?: string; selector?: string };

function Input({ name, label, errors, hint, initial, type = "text", placeholder, mono = false }: { name: string; label: string; errors: Record<string, string>; hint?: string; initial?: string; type?: string; placeholder?: string; mono?: boolean }) {
  const id = `waiver-${name}`;
  const error = errors[name];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input id={id} name={name} type={type} defaultValue={initial} placeholder={placeholder} autoComplete="off" className={`input${mono ? " font-mono" : ""}`} aria-invalid={Boolean(error)} aria-describedby={describedBy(id, error)} />
    </Field>
  );
}

/** Ask to accept a policy's risk on the clusters a selector matches, until a date (at most a year). */
export function RequestWaiverForm({ prefill, maxDate, minDate }: { prefill: WaiverPrefill; minDate: string; maxDate: string }) {
  const { state, pending, formProps } = useFormAction<FormState>(requestWaiverAction, idle, { resetOnSuccess: true });
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3" noValidate aria-label="Request a risk acceptance">
      <Field id="waiver-engine" label="Engine" error={errors.engine}>
        <select id="waiver-engine" name="engine" defaultValue={prefill.engine ?? "gatekeeper"} className="input" aria-invalid={Boolean(errors.engine)} aria-describedby={describedBy("waiver-engine", errors.engine)}>
          {POLICY_ENGINES.map((e) => (
            <option key={e} value={e}>
              {ENGINE_LABELS[e]}
            </option>
          ))}
        </select>
      </Field>
      <Input name="policy" label="Policy" errors={errors} initial={prefill.policy} hint="As the Policies tab names it: Kind/name for a Gatekeeper constraint, the policy name for a report" placeholder="K8sRequiredLabels/must-have-owner" mono />
      <fieldset className="space-y-2 rounded border border-zinc-200 p-2 dark:border-zinc-700">
        <legend className="px-1 text-sm font-medium">One resource only (optional)</legend>
        <Input name="resourceKind" label="Kind" errors={errors} initial={prefill.resourceKind} placeholder="Deployment" mono />
        <Input name="resourceNamespace" label="Namespace" errors={errors} initial={prefill.resourceNamespace} hint="Empty for a cluster-scoped resource" mono />
        <Input name="resourceName" label="Name" errors={errors} initial={prefill.resourceName} mono />
      </fieldset>
      <Input name="selector" label="Clusters (label selector)" errors={errors} initial={prefill.selector} hint={SELECTOR_SYNTAX_HINT} placeholder="env=prod" mono />
      <Field id="waiver-reason" label="Reason" error={errors.reason} hint="Why the risk is accepted, and what makes it safe until then">
        <textarea id="waiver-reason" name="reason" rows={3} className="input" aria-invalid={Boolean(errors.reason)} aria-describedby={describedBy("waiver-reason", errors.reason)} />
      </Field>
      <Field id="waiver-expiresOn" label="Holds until (inclusive, UTC)" error={errors.expiresOn} hint={`At most a year: ${maxDate} or earlier`}>
        <input id="waiver-expiresOn" name="expiresOn" type="date" min={minDate} max={maxDate} className="input" aria-invalid={Boolean(errors.expiresOn)} aria-describedby={describedBy("waiver-expiresOn", errors.expiresOn)} />
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? "Sending…" : "Ask for approval"}
      </button>
    </form>
  );
}

/** Approve or reject (someone else's pending waiver), or withdraw (pending or approved). */
export function DecideWaiverForm({ waiverId, label, canDecide, canWithdraw }: { waiverId: string; label: string; canDecide: boolean; canWithdraw: boolean }) {
  const { state, pending, formProps } = useFormAction<FormState>(decideWaiverAction, idle);
  const noteId = `note-${waiverId}`;
  return (
    <form {...formProps} className="space-y-1" aria-label={`Decide on ${label}`}>
      <input type="hidden" name="waiverId" value={waiverId} />
      <label htmlFor={noteId} className="block text-xs font-medium">
        Note {canDecide ? "(required to reject)" : ""}
      </label>
      <textarea id={noteId} name="note" rows={1} className="input text-sm" />
      <div className="flex flex-wrap gap-2">
        {canDecide ? (
          <>
            <button type="submit" name="decision" value="approve" className="btn-primary" disabled={pending}>
              Approve
            </button>
            <button type="submit" name="decision" value="reject" className="btn-secondary" disabled={pending}>
              Reject
            </button>
          </>
        ) : null}
        {canWithdraw ? (
          <button type="submit" name="decision" value="withdraw" className="btn-secondary" disabled={pending}>
            Withdraw
          </button>
        ) : null}
      </div>
      <FormMessage state={state} />
    </form>
  );
}
