import { describe, expect, it } from "vitest";
import { createSemaphore } from "./budget";

describe("createSemaphore", () => {
  it("never runs more than the limit at once, and runs everything", async () => {
    const semaphore = createSemaphore(3);
    let running = 0;
    let peak = 0;
    const work = (i: number) =>
      semaphore.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return i;
      });
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => work(i)))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(semaphore.active).toBe(0);
  });

  it("frees the slot when the work fails", async () => {
    const semaphore = createSemaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await semaphore.run(() => Promise.resolve("next"))).toBe("next");
  });
});
