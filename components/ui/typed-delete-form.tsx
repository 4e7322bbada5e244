"use client";

import { Field, FormMessage, describedBy } from "@/components/ui/field";
import { useFormAction } from "@/components/ui/use-form-action";
import { idle, type FormState } from "@/lib/actions/result";

type Choice = { value: string; label: string };

type TypedDeleteFormProps = {
  action: (prev: FormState, form: FormData) => Promise<FormState>;
  /** Hidden fields identifying what is deleted. */
  hidden: Record<string, string>;
  /** The name the user must type. */
  name: string;
  legend: string;
  /** What happens to the objects on the clusters; the first is the default. */
  choices: [Choice, ...Choice[]];
  button: string;
};

/** Destructive actions are confirmed by typing the name, with an explicit choice about what they leave behind. */
export function TypedDeleteForm({ action, hidden, name, legend, choices, button }: TypedDeleteFormProps) {
  const { state, pending, formProps } = useFormAction<FormState>(action, idle);
  const errors = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form {...formProps} className="space-y-3">
      {Object.entries(hidden).map(([key, value]) => (
        <input key={key} type="hidden" name={key} value={value} />
      ))}
      <fieldset className="space-y-1 text-sm">
        <legend className="font-medium">{legend}</legend>
        {choices.map((c, i) => (
          <label key={c.value} className="flex items-center gap-2">
            <input type="radio" name="objects" value={c.value} defaultChecked={i === 0} /> {c.label}
          </label>
        ))}
      </fieldset>
      <Field id="confirm" label={`Type ${name} to confirm`} error={errors.confirm}>
        <input id="confirm" name="confirm" autoComplete="off" className="input font-mono" aria-invalid={Boolean(errors.confirm)} aria-describedby={describedBy("confirm", errors.confirm)} />
      </Field>
      <FormMessage state={state} />
      <button type="submit" className="btn-danger" disabled={pending}>{pending ? "Deleting…" : button}</button>
    </form>
  );
}
