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
// A second portal ("guarded") for the tests that lock an address or need single sign-on, so they
// cannot lock the main portal's tests out; and the real OpenID provider it signs in with.
process.env.FLEETLINE_E2E_GUARDED_PORT ??= freePort();
process.env.FLEETLINE_E2E_OIDC_PORT ??= freePort();

const port = process.env.FLEETLINE_E2E_PORT;
const dataDir = process.env.FLEETLINE_E2E_DIR;
const baseURL = `http://127.0.0.1:${port}`;
const guardedURL = `http://127.0.0.1:${process.env.FLEETLINE_E2E_GUARDED_PORT}`;
const oidcURL = `http://127.0.0.1:${process.env.FLEETLINE_E2E_OIDC_PORT}`;
const guardedDir = path.join(dataDir, "guarded");

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // A two-core machine running API servers, the portal and Chromium at once: some flows take a minute.
  timeout: 120_000,
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
  webServer: [
    {
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
        // Long enough for a connection check on a loaded two-core machine (API servers, portal and
        // Chromium share it): at 3 s registrations failed as "timed out" under load in CI.
        FLEETLINE_HEALTH_TIMEOUT_MS: "10000",
        FLEETLINE_STATUS_INTERVAL_S: "2",
        // Watch mode (the default): facts read in full every 4 s, passes in between only check each
        // cluster answers, so the specs exercise both kinds of pass and the watches' own updates.
        FLEETLINE_INVENTORY_INTERVAL_S: "4",
        // Resource drift is looked for every 5 minutes by default; the specs edit objects and look.
        FLEETLINE_DRIFT_INTERVAL_S: "2",
        // Every fetch is a handful of git processes on both sides; process start-up is what a
        // two-core VM spends most on (58% system time with a fetch every 2 s).
        FLEETLINE_GIT_INTERVAL_S: "10",
        FLEETLINE_POLICY_INTERVAL_S: "2",
        // Versions are read every 5 minutes by default; the browser tests cannot wait that long.
        FLEETLINE_VERSIONS_INTERVAL_S: "10",
        // A wave's gate reads the status every 2 s by default; the browser tests watch it move.
        FLEETLINE_GATE_POLL_MS: "500",
      },
    },
    {
      command: "node --import tsx test-support/cli/oidc-provider.ts",
      url: `${oidcURL}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: { OIDC_PORT: process.env.FLEETLINE_E2E_OIDC_PORT!, OIDC_REDIRECT_URI: `${guardedURL}/api/auth/callback/oidc` },
    },
    {
      // Started after the main server, which builds .next when it is missing.
      command: "node scripts/e2e-server.mjs",
      url: `${guardedURL}/api/health`,
      timeout: 240_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORT: process.env.FLEETLINE_E2E_GUARDED_PORT!,
        DATABASE_URL: path.join(guardedDir, "fleetline.db"),
        FLEETLINE_DATA_DIR: guardedDir,
        FLEETLINE_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
        NEXTAUTH_URL: guardedURL,
        FLEETLINE_BACKGROUND: "off",
        FLEETLINE_ADMIN_EMAIL: "boss@guarded.test",
        FLEETLINE_ADMIN_PASSWORD: "guarded-admin-Pa55word",
        FLEETLINE_OIDC_ISSUER: oidcURL,
        FLEETLINE_OIDC_CLIENT_ID: "fleetline",
        FLEETLINE_OIDC_CLIENT_SECRET: "fleetline-test-secret",
        FLEETLINE_OIDC_NAME: "Test IdP",
        FLEETLINE_OIDC_ROLE_MAP: "platform-admins=admin",
        FLEETLINE_OIDC_ALLOWED_GROUPS: "platform-admins,readers",
      },
    },
  ],
});
