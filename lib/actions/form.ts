/**
 * A form action's fields. React sends a FormData, but a replayed or hand-made request decides
 * what the action receives (a number, an array, nothing at all), and reading it as a FormData
 * would throw: an anonymous caller would get a 500 before the session check ran. This never
 * throws; anything but a FormData reads as no fields, which the schemas then refuse by name.
 */
export function formFields(form: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(form instanceof FormData)) return out;
  for (const [k, v] of form) if (typeof v === "string") out[k] = v;
  return out;
}
