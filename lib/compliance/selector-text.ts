// Pure: label selectors written the way kubectl takes them ("env=prod, tier in (web,api), !legacy"),
// shared by the assignment form in the browser and the server action.
import { checkLabelKey, checkLabelValue } from "@/lib/validation/names";
import { MAX_SELECTOR_REQUIREMENTS, MAX_SELECTOR_VALUES, isEmptySelector, type LabelSelector, type LabelSelectorRequirement } from "@/lib/validation/label-selector";

export const SELECTOR_SYNTAX_HINT = "key=value, key!=value, key in (a,b), key notin (a,b), key (exists) or !key (does not exist), separated by commas";

export type ParsedSelector = { ok: true; selector: LabelSelector } | { ok: false; message: string };

const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** Commas separate requirements except inside "(a,b)"; newlines separate them too. */
function splitRequirements(text: string): { parts: string[] } | { error: string } {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (depth < 0 || depth > 1) return { error: "has unbalanced or nested parentheses" };
    if ((char === "," || char === "\n") && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  if (depth !== 0) return { error: "has an unclosed parenthesis" };
  parts.push(current.trim());
  return { parts: parts.filter(Boolean) };
}

type Parsed = { equals: [string, string] } | { expression: LabelSelectorRequirement } | { error: string };

function parseValues(list: string, raw: string): string[] | { error: string } {
  const values = list.split(",").map((v) => v.trim());
  if (values.length === 0 || values.every((v) => v === "")) return { error: `"${clip(raw)}": the set needs at least one value` };
  if (values.length > MAX_SELECTOR_VALUES) return { error: `"${clip(raw)}": at most ${MAX_SELECTOR_VALUES} values` };
  for (const value of values) {
    const problem = checkLabelValue(value);
    if (problem) return { error: `"${clip(raw)}": ${problem}` };
  }
  return [...new Set(values)];
}

function parseRequirement(raw: string): Parsed {
  const keyProblem = (key: string) => {
    const problem = checkLabelKey(key);
    return problem ? { error: `"${clip(raw)}": ${problem}` } : undefined;
  };
  const notExists = /^!\s*(\S+)$/.exec(raw);
  if (notExists) return keyProblem(notExists[1]!) ?? { expression: { key: notExists[1]!, operator: "DoesNotExist" } };
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
  if (set) {
    const values = parseValues(set[3]!, raw);
    if (!Array.isArray(values)) return values;
    return keyProblem(set[1]!) ?? { expression: { key: set[1]!, operator: set[2] === "in" ? "In" : "NotIn", values } };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(raw);
  if (equality) {
    const key = equality[1]!;
    const operator = equality[2]!;
    const value = equality[3]!;
    const valueProblem = checkLabelValue(value);
    const problem = keyProblem(key) ?? (valueProblem ? { error: `"${clip(raw)}": ${valueProblem}` } : undefined);
    if (problem) return problem;
    return operator === "!=" ? { expression: { key, operator: "NotIn", values: [value] } } : { equals: [key, value] };
  }
  if (/^\S+$/.test(raw)) return keyProblem(raw) ?? { expression: { key: raw, operator: "Exists" } };
  return { error: `"${clip(raw)}" is not a requirement (${SELECTOR_SYNTAX_HINT})` };
}

/** Every requirement must hold. An empty selector is refused: it would silently mean the whole fleet. */
export function parseSelectorText(text: string): ParsedSelector {
  const split = splitRequirements(text);
  if ("error" in split) return { ok: false, message: split.error };
  if (split.parts.length === 0) return { ok: false, message: `is required (${SELECTOR_SYNTAX_HINT})` };
  if (split.parts.length > MAX_SELECTOR_REQUIREMENTS) return { ok: false, message: `must have at most ${MAX_SELECTOR_REQUIREMENTS} requirements` };
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const part of split.parts) {
    const parsed = parseRequirement(part);
    if ("error" in parsed) return { ok: false, message: parsed.error };
    if ("expression" in parsed) {
      matchExpressions.push(parsed.expression);
      continue;
    }
    const [key, value] = parsed.equals;
    if (key in matchLabels && matchLabels[key] !== value) return { ok: false, message: `"${key}" must equal both "${matchLabels[key]}" and "${value}": no cluster can match` };
    matchLabels[key] = value;
  }
  const selector: LabelSelector = {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
  return isEmptySelector(selector) ? { ok: false, message: "is required" } : { ok: true, selector };
}

function formatRequirement({ key, operator, values = [] }: LabelSelectorRequirement): string {
  switch (operator) {
    case "Exists":
      return key;
    case "DoesNotExist":
      return `!${key}`;
    case "In":
      return `${key} in (${values.join(",")})`;
    case "NotIn":
      return values.length === 1 ? `${key}!=${values[0]}` : `${key} notin (${values.join(",")})`;
  }
}

/** The text form parseSelectorText reads back to the same selector. */
export function formatSelector(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  return [...labels, ...(selector.matchExpressions ?? []).map(formatRequirement)].join(", ");
}
