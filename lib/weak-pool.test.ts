import { describe, expect, it } from "vitest";
import { collectGarbage } from "@/test-support/gc";
import { WeakPool } from "./weak-pool";

describe("WeakPool", () => {
  it("gives the copy it holds for a key, and keeps a new value as the copy for its own", () => {
    const pool = new WeakPool<{ n: number }>();
    const first = { n: 1 };
    expect(pool.one("a", first)).toBe(first);
    expect(pool.one("a", { n: 1 })).toBe(first);
    const other = { n: 2 };
    expect(pool.one("b", other)).toBe(other);
    expect(pool.size).toBe(2);
  });

  it("forgets a copy nothing holds any more", async () => {
    const pool = new WeakPool<object>();
    pool.one("gone", { big: "x".repeat(1000) });
    const kept = pool.one("kept", {});
    // The registry's cleanup runs in a task after the collection.
    await collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await collectGarbage();
    expect(pool.size).toBe(1);
    expect(pool.one("kept", {})).toBe(kept);
  });
});
