// The controls of the GET filter forms above every list: a label over an input or a select.

type Common = { id: string; name: string; label: string; defaultValue?: string | null };

export function FilterInput({ id, name, label, defaultValue, placeholder, mono, list }: Common & { placeholder?: string; mono?: boolean; list?: string }) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium">{label}</label>
      <input id={id} name={name} defaultValue={defaultValue ?? undefined} placeholder={placeholder} list={list} className={`input ${mono ? "font-mono" : ""}`} />
    </div>
  );
}

export type FilterOption = { value: string; label: string };

/** A select whose first option, "Any", clears the filter. */
export function FilterSelect({ id, name, label, defaultValue, options, anyLabel = "Any" }: Common & { options: readonly FilterOption[]; anyLabel?: string }) {
  return (
    <div>
      <label htmlFor={id} className="block text-xs font-medium">{label}</label>
      <select id={id} name={name} defaultValue={defaultValue ?? ""} className="input">
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </div>
  );
}

/** Options where the value is also the label. */
export const plainOptions = (values: readonly string[]): FilterOption[] => values.map((value) => ({ value, label: value }));
