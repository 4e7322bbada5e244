// Pure: "1 configuration", "2 configurations". Every count a person reads goes through here.

/** The count and the noun, the plural form when the count is not exactly one. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString("en")} ${count === 1 ? singular : pluralForm}`;
}
