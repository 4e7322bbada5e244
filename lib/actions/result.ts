import type { z } from "zod";
import { highlightedFields } from "@/lib/validation/field-labels";

/** What a form action returns; expected failures are values, not exceptions. */
export type ActionResult<T = undefined> =
  | { status: "ok"; message?: string; data?: T }
  | { status: "invalid"; fieldErrors: Record<string, string>; message?: string }
  | { status: "error"; message: string };

export const idle = { status: "idle" } as const;
export type FormState<T = undefined> = ActionResult<T> | typeof idle;

/** Dotted field path -> first message, e.g. { "kustomizations.1.path": "must stay inside the repository" }. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}

export type Invalid = { status: "invalid"; fieldErrors: Record<string, string>; message: string };

export function invalid(error: z.ZodError): Invalid {
  const errors = fieldErrors(error);
  // Labels, not paths: "Kustomization 1 interval", never "kustomizations.0.interval".
  return { status: "invalid", fieldErrors: errors, message: highlightedFields(Object.keys(errors)) };
}
