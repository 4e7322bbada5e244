import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// Chosen once in the runner process; workers inherit the environment, so they agree on it.
function freePort(): string {
  const probe = spawnSync(process.execPath, [
    "-e",
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ]);
  return probe.stdout.toString().trim();
}
process.env.FLEETLINE_E2E_PORT ??= freePort();
process.env.FLEETLINE_E2E_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-e2e-"));

const port = process.env.FLEETLINE_E2E_PORT;
const dataDir = process.env.FLEETLINE_E2E_DIR;
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: port,
      DATABASE_URL: path.join(dataDir, "fleetline.db"),
      FLEETLINE_DATA_DIR: dataDir,
      FLEETLINE_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
      NEXTAUTH_URL: baseURL,
      FLEETLINE_ALLOW_LOCAL_SOURCES: "true",
      FLEETLINE_HEALTH_INTERVAL_S: "2",
      FLEETLINE_HEALTH_TIMEOUT_MS: "3000",
      FLEETLINE_STATUS_INTERVAL_S: "2",
    },
  },
});
