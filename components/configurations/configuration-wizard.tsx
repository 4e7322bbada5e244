"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ZodType } from "zod";
import type { PreviewResult, previewConfigurationAction, saveConfigurationAction } from "@/app/(portal)/configurations/actions";
import { basicsStepSchema, formatZodErrors, makeSourceStepSchema, rolloutStepSchema, targetsStepSchema, workloadsStepSchema } from "@/lib/validation/configuration";
import { useHydrated } from "@/components/ui/use-hydrated";
import { fieldLabel } from "@/lib/validation/field-labels";
import { emptyDraft, toSpecInput, type Draft } from "./draft";
import { ImportFromAzure } from "./import-azure";
import { BasicsStep } from "./step-basics";
import { ReviewStep } from "./step-review";
import { RolloutStep } from "./step-rollout";
import { SourceStep, type CredentialOption } from "./step-source";
import { TargetsStep, type FleetCluster } from "./step-targets";
import { WorkloadsStep } from "./step-workloads";

/** An action that threw (body over the 2 MB limit, server down) still gets a sentence, not a blank page. */
function requestFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return /body exceeded|too large|413/i.test(text)
    ? "The configuration is larger than the 2 MB a request may carry; shrink the Helm values."
    : "The request failed before the server could answer; try again.";
}

const STEPS = ["Basics", "Source", "Kustomizations / Helm releases", "Targets", "Rollout", "Review"] as const;

/** The server actions, handed down by the page: a shared component imports nothing from app/ routes. */
export type WizardActions = { preview: typeof previewConfigurationAction; save: typeof saveConfigurationAction };

type WizardProps = {
  actions: WizardActions;
  fleet: FleetCluster[];
  credentials: CredentialOption[];
  allowLocalSources: boolean;
  canPush: boolean;
  initial?: Draft;
  configurationId?: string;
  /** Per-cluster form: the configuration targets just this cluster. */
  lockedClusterId?: string;
};

export function ConfigurationWizard({ actions, fleet, credentials, allowLocalSources, canPush, initial, configurationId, lockedClusterId }: WizardProps) {
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>(() => {
    const d = initial ?? emptyDraft();
    return lockedClusterId ? { ...d, targets: { clusterIds: [lockedClusterId], matchLabels: "", expressions: [] } } : d;
  });
  const [step, setStep] = useState(0);
  const hydrated = useHydrated();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [message, setMessage] = useState("");
  const [push, setPush] = useState(canPush);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const stepSchemas: ZodType[] = [basicsStepSchema, makeSourceStepSchema({ allowLocalSources }), workloadsStepSchema, targetsStepSchema, rolloutStepSchema];

  function validate(index: number): boolean {
    const schema = stepSchemas[index];
    if (!schema) return true;
    const result = schema.safeParse(toSpecInput(draft));
    setErrors(result.success ? {} : formatZodErrors(result.error));
    return result.success;
  }

  function goTo(next: number) {
    // Forward only past valid steps; backward always, keeping what was typed.
    if (next > step) {
      for (let i = step; i < next; i++) {
        if (!validate(i)) {
          setStep(i);
          return;
        }
      }
    } else {
      setErrors({});
    }
    setStep(next);
    if (next === STEPS.length - 1) {
      setPreview(null);
      startTransition(async () => {
        try {
          const result = await actions.preview(toSpecInput(draft));
          setPreview(result);
          if (result.status === "invalid") setErrors(result.fieldErrors);
        } catch (error) {
          setPreview({ status: "error", message: requestFailure(error) });
        }
      });
    }
  }

  function save() {
    setSaveError(null);
    startTransition(async () => {
      const result = await actions.save(toSpecInput(draft), { configurationId, message, push }).catch(
        (error: unknown) => ({ status: "error" as const, message: requestFailure(error) }),
      );
      if (result.status === "ok") {
        router.push(`/configurations/${result.configurationId}${result.rolloutId ? `?rollout=${result.rolloutId}` : ""}`);
        return;
      }
      if (result.status === "invalid") setErrors(result.fieldErrors);
      setSaveError(result.message ?? "Could not save.");
    });
  }

  const stepProps = { draft, update: setDraft, errors };
  return (
    <fieldset disabled={!hydrated} className="min-w-0 space-y-5">
      {configurationId ? null : (
        <ImportFromAzure
          current={draft}
          allowLocalSources={allowLocalSources}
          onImport={(imported, importErrors) => {
            setDraft(imported);
            setErrors(importErrors);
            setStep(0);
          }}
        />
      )}
      <nav aria-label="Wizard steps">
        <ol className="flex flex-wrap gap-2 text-sm">
          {STEPS.map((label, i) => (
            <li key={label}>
              <button
                type="button"
                onClick={() => goTo(i)}
                aria-current={i === step ? "step" : undefined}
                className={`rounded-full border px-3 py-1 ${i === step ? "border-sky-700 bg-sky-50 font-semibold text-sky-900 dark:bg-sky-950 dark:text-sky-100" : "border-zinc-300 dark:border-zinc-700"}`}
              >
                {i + 1}. {label}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section aria-labelledby="step-title" className="card p-5">
        <h2 id="step-title" className="mb-4 text-lg font-semibold">{STEPS[step]}</h2>
        {Object.keys(errors).length > 0 && step < STEPS.length - 1 ? (
          <p role="alert" className="mb-3 text-sm font-medium text-red-700 dark:text-red-400">
            Fix {Object.keys(errors).length} field{Object.keys(errors).length > 1 ? "s" : ""} before going on: {Object.keys(errors).map(fieldLabel).join(", ")}.
          </p>
        ) : null}
        {step === 0 ? <BasicsStep {...stepProps} isEdit={Boolean(configurationId)} /> : null}
        {step === 1 ? <SourceStep {...stepProps} credentials={credentials} warnings={{}} /> : null}
        {step === 2 ? <WorkloadsStep {...stepProps} credentials={credentials} /> : null}
        {step === 3 ? <TargetsStep {...stepProps} fleet={fleet} lockedClusterId={lockedClusterId} /> : null}
        {step === 4 ? <RolloutStep {...stepProps} /> : null}
        {step === 5 ? <ReviewStep preview={preview} pending={pending} /> : null}
      </section>
      {step === STEPS.length - 1 && preview?.status === "ok" ? (
        <section aria-labelledby="save" className="card space-y-3 p-5">
          <h2 id="save" className="font-semibold">{configurationId ? "Save a new version" : "Create"}</h2>
          <div>
            <label htmlFor="change-message" className="block text-sm font-medium">Change message</label>
            <input id="change-message" className="input" value={message} onChange={(e) => setMessage(e.target.value)} placeholder="What changed and why" />
          </div>
          {canPush ? (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={push} onChange={(e) => setPush(e.target.checked)} /> Push to the {preview.targetCount === 1 ? "target cluster" : `${preview.targetCount} target clusters`} now
            </label>
          ) : null}
          {saveError ? <p role="alert" className="text-sm text-red-700">{saveError}</p> : null}
          <button type="button" className="btn-primary" onClick={save} disabled={pending}>
            {pending ? "Saving…" : configurationId ? "Save version" : "Create configuration"}
          </button>
        </section>
      ) : null}
      <div className="flex justify-between">
        <button type="button" className="btn-secondary" onClick={() => goTo(step - 1)} disabled={step === 0 || pending}>
          Back
        </button>
        {step < STEPS.length - 1 ? (
          <button type="button" className="btn-primary" onClick={() => goTo(step + 1)} disabled={pending}>
            Next: {STEPS[step + 1]}
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}
