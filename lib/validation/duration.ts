import { ruleString, type RuleCheck } from "./rules";

/** Azure's default sync interval, used for sources, Kustomizations and Helm releases. */
export const DEFAULT_INTERVAL = "10m";

/** The pattern Flux's CRDs declare for every duration field. */
export const DURATION_PATTERN = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SECOND = 1000;
const HOUR = 3_600_000;

// A duration string longer than this is not a typo we need to explain, only an attack.
const MAX_DURATION_TEXT = 32;

/**
 * Bounds for reconcile intervals. Below 10s, one configuration pushed to thousands of
 * clusters turns into a denial of service on the Git host; above 30 days the
 * "interval" is really "never".
 */
export const INTERVAL_BOUNDS = { minMs: 10 * SECOND, maxMs: 720 * HOUR } as const;
/** Bounds for timeouts: a zero timeout fails every reconcile, one over a day hides hangs. */
export const TIMEOUT_BOUNDS = { minMs: 1 * SECOND, maxMs: 24 * HOUR } as const;

export type DurationBounds = { minMs: number; maxMs: number };

/** Go/Flux duration in milliseconds, or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text.length === 0 || text.length > MAX_DURATION_TEXT || !DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const part of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
    const [, amount, unit] = part;
    if (amount === undefined || unit === undefined) return undefined;
    total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/** Milliseconds as the shortest whole-unit Flux duration: 600000 -> "10m", 90000 -> "90s". */
export function formatDurationMs(ms: number): string {
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % SECOND === 0) return `${ms / SECOND}s`;
  return `${ms}ms`;
}

export function checkDuration(value: string, bounds: DurationBounds): string | undefined {
  if (value.length === 0) return "must not be empty (duration such as 10m or 1m30s)";
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    return "must be a duration of numbers with units ms, s, m or h, such as 10m or 1m30s (Flux duration)";
  }
  if (ms === 0) return "must be longer than zero (Flux duration)";
  if (ms < bounds.minMs) return `must be at least ${formatDurationMs(bounds.minMs)} (duration lower bound)`;
  if (ms > bounds.maxMs) return `must be at most ${formatDurationMs(bounds.maxMs)} (duration upper bound)`;
  return undefined;
}

export function durationSchema(bounds: DurationBounds) {
  const check: RuleCheck = (value) => checkDuration(value, bounds);
  return ruleString(check);
}

export const intervalSchema = durationSchema(INTERVAL_BOUNDS);
export const timeoutSchema = durationSchema(TIMEOUT_BOUNDS);
