"use client";

import type { ReactNode } from "react";
import { Field, describedBy } from "@/components/ui/field";

/** Field ids are derived from the dotted spec path, so zod's error paths land on the right control. */
export const fieldId = (path: string) => `f-${path.replace(/[^a-zA-Z0-9]+/g, "-")}`;

type Base = { path: string; label: string; errors: Record<string, string>; hint?: ReactNode };

export function TextInput({ path, label, errors, hint, value, onChange, placeholder, mono, type = "text" }: Base & { value: string; onChange: (v: string) => void; placeholder?: string; mono?: boolean; type?: string }) {
  const id = fieldId(path);
  const error = errors[path];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <input
        id={id}
        type={type}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        className={`input ${mono ? "font-mono" : ""}`}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy(id, error)}
      />
    </Field>
  );
}

export function TextArea({ path, label, errors, hint, value, onChange, rows = 4, mono = true }: Base & { value: string; onChange: (v: string) => void; rows?: number; mono?: boolean }) {
  const id = fieldId(path);
  const error = errors[path];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        className={`input ${mono ? "font-mono text-xs" : ""}`}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy(id, error)}
      />
    </Field>
  );
}

export function Select({ path, label, errors, hint, value, onChange, options }: Base & { value: string; onChange: (v: string) => void; options: { value: string; label: string }[] }) {
  const id = fieldId(path);
  const error = errors[path];
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className="input" aria-invalid={Boolean(error)} aria-describedby={describedBy(id, error)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </Field>
  );
}

export function Checkbox({ path, label, hint, checked, onChange }: { path: string; label: string; hint?: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = fieldId(path);
  return (
    <div className="flex items-start gap-2">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} className="mt-1" aria-describedby={hint ? `${id}-hint` : undefined} />
      <div>
        <label htmlFor={id} className="text-sm font-medium">{label}</label>
        {hint ? <p id={`${id}-hint`} className="text-xs text-zinc-500">{hint}</p> : null}
      </div>
    </div>
  );
}

/** Errors that belong to a list or a whole section rather than one control. */
export function SectionError({ errors, path }: { errors: Record<string, string>; path: string }) {
  const error = errors[path];
  if (!error) return null;
  return <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">{error}</p>;
}
