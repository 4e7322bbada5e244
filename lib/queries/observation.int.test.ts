import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Hardening case 17: every portal page says when the fleet picture is not being refreshed. The
// real loop runs here (on an empty fleet); its timer is then killed the way a dead loop looks.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;

beforeAll(async () => {
  temp = await useTempDatabase();
  process.env.FLEETLINE_SECRET_KEY = "55".repeat(32);
});

afterAll(() => {
  const loop = (globalThis as { fleetlineObserveLoop?: NodeJS.Timeout }).fleetlineObserveLoop;
  if (loop) clearInterval(loop);
  temp?.cleanup();
});

describe("observationBanner", () => {
  it("says the loop is off before it started, nothing while it ticks, and that it stopped once its timer is dead", async () => {
    const { observationBanner } = await import("./observation");
    const { startObservationLoop, observationLoopState } = await import("@/lib/observe/loop");
    expect(observationBanner()).toMatchObject({ state: "off", message: expect.stringContaining("FLEETLINE_BACKGROUND=off") });

    startObservationLoop(100);
    await expect.poll(() => observationLoopState()?.lastTickAt ?? null).not.toBeNull();
    expect(observationBanner()).toBeNull();

    clearInterval((globalThis as { fleetlineObserveLoop?: NodeJS.Timeout }).fleetlineObserveLoop);
    const lastTick = observationLoopState()!.lastTickAt!;
    // Eleven seconds without a tick, as the page rendered then would see it.
    const banner = observationBanner(lastTick + 11_000);
    expect(banner?.state).toBe("stopped");
    expect(banner?.message).toContain("the observation loop has stopped");
    expect(banner?.message).toContain(new Date(lastTick).toISOString().slice(0, 19).replace("T", " "));
  });
});
