import { describe, expect, it } from "vitest";
import { ClusterError } from "./errors";
import { backoffDelay, isRetryable, withRetry } from "./retry";

const httpError = (status: number, retryAfterMs?: number) =>
  new ClusterError(status === 429 ? "too-many-requests" : status >= 500 ? "server" : "invalid", `${status}`, { status, retryAfterMs });

/** A fake operation failing with the given errors, then succeeding. */
function flaky(errors: unknown[]) {
  let calls = 0;
  const fn = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return "done";
  };
  return { fn, calls: () => calls };
}

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe("isRetryable", () => {
  it.each([429, 500, 502, 503, 504])("retries HTTP %i", (status) => expect(isRetryable(httpError(status))).toBe(true));

  it.each([400, 401, 403, 404, 409, 410, 422])("never retries HTTP %i", (status) => {
    const kind = status === 401 ? "unauthorized" : status === 403 ? "forbidden" : "invalid";
    expect(isRetryable(new ClusterError(kind, "x", { status }))).toBe(false);
  });

  it("retries failed connections but not TLS, DNS, timeouts or unknown errors", () => {
    expect(isRetryable(new ClusterError("network", "reset"))).toBe(true);
    expect(isRetryable(new ClusterError("refused", "refused"))).toBe(true);
    expect(isRetryable(new ClusterError("tls", "untrusted"))).toBe(false);
    expect(isRetryable(new ClusterError("dns", "nxdomain"))).toBe(false);
    expect(isRetryable(new ClusterError("timeout", "timed out"))).toBe(false);
    expect(isRetryable(new ClusterError("server", "not JSON"))).toBe(false);
    expect(isRetryable(new Error("bug"))).toBe(false);
  });
});

describe("backoffDelay", () => {
  const options = { baseMs: 100, maxMs: 1000 };

  it("uses full jitter below an exponential ceiling capped at maxMs", () => {
    const ceilings = [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelay(attempt, options, () => 0.999999));
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });

  it("stays within [0, ceiling) for random draws", () => {
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelay(2, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
    }
  });
});

describe("withRetry", () => {
  it("retries 429 and 5xx until success", async () => {
    const { fn, calls } = flaky([httpError(503), httpError(429), httpError(500)]);
    const { delays, sleep } = recordingSleep();
    await expect(withRetry(fn, { retries: 3, baseMs: 100, maxMs: 1000, sleep, random: () => 0.5 })).resolves.toBe("done");
    expect(calls()).toBe(4);
    expect(delays).toEqual([50, 100, 200]);
  });

  it("gives up after `retries` extra attempts with the last error", async () => {
    const last = httpError(502);
    const { fn, calls } = flaky([httpError(503), httpError(503), last]);
    const { sleep } = recordingSleep();
    await expect(withRetry(fn, { retries: 2, baseMs: 10, maxMs: 100, sleep })).rejects.toBe(last);
    expect(calls()).toBe(3);
  });

  it.each([
    ["401", new ClusterError("unauthorized", "401", { status: 401 })],
    ["403", new ClusterError("forbidden", "403", { status: 403 })],
    ["409", new ClusterError("conflict", "409", { status: 409 })],
  ])("does not retry %s (no retry storm against a revoked token)", async (_, error) => {
    const { fn, calls } = flaky([error]);
    const { sleep } = recordingSleep();
    await expect(withRetry(fn, { retries: 5, baseMs: 10, maxMs: 100, sleep })).rejects.toBe(error);
    expect(calls()).toBe(1);
  });

  it("waits as long as Retry-After asks", async () => {
    const { fn } = flaky([httpError(429, 750)]);
    const { delays, sleep } = recordingSleep();
    await withRetry(fn, { retries: 1, baseMs: 10, maxMs: 1000, sleep });
    expect(delays).toEqual([750]);
  });

  it("stops instead of retrying early when Retry-After exceeds maxMs", async () => {
    const tooLong = httpError(429, 60_000);
    const { fn, calls } = flaky([tooLong]);
    const { sleep } = recordingSleep();
    await expect(withRetry(fn, { retries: 3, baseMs: 10, maxMs: 1000, sleep })).rejects.toBe(tooLong);
    expect(calls()).toBe(1);
  });
});
