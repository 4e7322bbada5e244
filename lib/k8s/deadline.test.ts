import { describe, expect, it } from "vitest";
import { Deadline } from "./deadline";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Deadline", () => {
  it("a finished piece of work leaves no timer behind: the signal never fires after dispose", async () => {
    const deadline = new Deadline(40);
    const signal = deadline.signal;
    await deadline.race(Promise.resolve("done"));
    deadline.dispose();
    await sleep(80);
    expect(signal.aborted).toBe(false);
  });

  it("without dispose the signal fires at the deadline with a timeout error", async () => {
    const deadline = new Deadline(20);
    const signal = deadline.signal;
    await sleep(60);
    expect(signal.aborted).toBe(true);
    expect(String(signal.reason)).toMatch(/did not finish within/);
  });

  it("work the race ended at the deadline is cancelled on dispose, whichever timer ran first", async () => {
    const deadline = new Deadline(20);
    const signal = deadline.signal;
    await expect(deadline.race(new Promise(() => undefined))).rejects.toThrow(/did not finish within/);
    deadline.dispose();
    expect(signal.aborted).toBe(true);
  });
});
