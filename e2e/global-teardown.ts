import fs from "node:fs";

/** Stops the e2e fleet; the throwaway database and key of this run go with it. */
export default async function globalTeardown() {
  const pid = Number(process.env.FLEETLINE_E2E_FLEET_PID);
  if (pid) {
    try {
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 100; i++) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch {
      // Gone: stopped cleanly.
    }
  }
  const dir = process.env.FLEETLINE_E2E_DIR;
  if (dir && dir.includes("fleetline-e2e-")) fs.rmSync(dir, { recursive: true, force: true });
}
