import { afterEach, describe, expect, it } from "vitest";
import { clearComputed, readComputed, refreshComputed } from "./computed";

// The background cache behind the Drift and Commits tabs: a render waits a bounded time, a
// computation that never ends does not hold it, and one computation per key runs at a time.

const never = () => new Promise<string>(() => {});
const after = (ms: number, value: string) => () => new Promise<string>((resolve) => setTimeout(() => resolve(value), ms));

afterEach(() => clearComputed());

describe("readComputed", () => {
  it("gives up waiting on a computation that never ends and says it is still computing", async () => {
    const t0 = Date.now();
    const result = await readComputed("hang", never, { maxAgeMs: 60_000, waitMs: 50 });
    expect(result.status).toBe("computing");
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("returns a quick result on the first read, then serves it from the cache without computing again", async () => {
    let runs = 0;
    const compute = async () => `v${++runs}`;
    const first = await readComputed("k", compute, { maxAgeMs: 60_000, waitMs: 1000 });
    expect(first).toMatchObject({ status: "ready", value: "v1", refreshing: false });
    const second = await readComputed("k", compute, { maxAgeMs: 60_000, waitMs: 1000 });
    expect(second).toMatchObject({ status: "ready", value: "v1" });
    expect(runs).toBe(1);
  });

  it("shows the old result at once while an old one is recomputed in the background", async () => {
    await readComputed("stale", async () => "old", { maxAgeMs: 60_000, waitMs: 1000 });
    const t0 = Date.now();
    const shown = await readComputed("stale", never, { maxAgeMs: 0, waitMs: 5000 });
    expect(shown).toMatchObject({ status: "ready", value: "old", refreshing: true });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("runs one computation per key however many renders ask", async () => {
    let runs = 0;
    const compute = () => {
      runs += 1;
      return after(100, "done")();
    };
    await Promise.all([1, 2, 3].map(() => readComputed("once", compute, { maxAgeMs: 60_000, waitMs: 10 })));
    expect(runs).toBe(1);
  });

  it("keeps a failure as a clean message, and refresh starts a new computation", async () => {
    const failed = await readComputed("fail", () => Promise.reject(new Error("git host timed out")), { maxAgeMs: 60_000, waitMs: 1000 });
    expect(failed).toMatchObject({ status: "failed", error: "git host timed out" });
    refreshComputed("fail", async () => "fixed");
    await new Promise((r) => setTimeout(r, 10));
    expect(await readComputed("fail", never, { maxAgeMs: 60_000, waitMs: 0 })).toMatchObject({ status: "ready", value: "fixed" });
  });
});
