import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

let temp: Awaited<ReturnType<typeof useTempDatabase>>;

beforeAll(async () => {
  process.env.FLEETLINE_ADMIN_EMAIL = "Seed@Example.com";
  process.env.FLEETLINE_ADMIN_PASSWORD = "seeded-password-123";
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
});

afterAll(() => temp.cleanup());

describe("boot", () => {
  it("seeds the first admin from the environment once, and generates the key file", async () => {
    const { boot } = await import("./boot");
    await boot();
    const { findUserByEmail, countUsers } = await import("@/lib/auth/users");
    const admin = findUserByEmail("seed@example.com");
    expect(admin?.role).toBe("admin");
    expect(countUsers()).toBe(1);
    const fs = await import("node:fs");
    expect(fs.statSync(`${temp.dir}/secret.key`).mode & 0o777).toBe(0o600);

    // A second boot in the same process (dev reloads) neither re-runs nor duplicates.
    await boot();
    expect(countUsers()).toBe(1);
  });
});
