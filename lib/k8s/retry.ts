// Pure: retry policy for cluster calls (push, collector).
import { ClusterError } from "./errors";

export type RetryOptions = {
  /** Extra attempts after the first one. */
  retries: number;
  baseMs: number;
  maxMs: number;
  /** Injected by tests; real callers use the defaults. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

/**
 * Only failures that say "try again later" are retried: 429, 5xx, and connections
 * that failed before any HTTP exchange. 401/403 and other 4xx never change by
 * retrying (a retry storm against a revoked token helps no one), and a timeout
 * already spent the per-cluster budget.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ClusterError)) return false;
  if (error.kind === "network" || error.kind === "refused") return true;
  return error.status !== undefined && (error.status === 429 || error.status >= 500);
}

/** Full jitter: a uniform delay in [0, min(maxMs, baseMs * 2^attempt)). */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, "baseMs" | "maxMs">, random = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.retries || !isRetryable(error)) throw error;
      const delay = retryDelay(error, attempt, options);
      if (delay === undefined) throw error;
      await sleep(delay);
    }
  }
}

/** Honours Retry-After; when the server asks for a longer pause than maxMs we give up instead of retrying early. */
function retryDelay(error: unknown, attempt: number, options: RetryOptions): number | undefined {
  const requested = error instanceof ClusterError ? error.retryAfterMs : undefined;
  if (requested === undefined) return backoffDelay(attempt, options, options.random);
  return requested <= options.maxMs ? requested : undefined;
}
