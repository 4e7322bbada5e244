import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Readiness on a real SQLite file: ready once every committed migration is applied.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let health: typeof import("./health");

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  health = await import("./health");
});
afterAll(() => temp?.cleanup());

describe("readiness", () => {
  it("is ready with every migration applied, and not ready while one is missing", () => {
    expect(health.probeReadiness()).toEqual({ ready: true, database: "ok", pendingMigrations: 0 });
    // As a database an older build migrated looks to a newer one.
    temp.forgetLastMigration();
    expect(health.probeReadiness()).toEqual({ ready: false, database: "ok", pendingMigrations: 1 });
  });
});
