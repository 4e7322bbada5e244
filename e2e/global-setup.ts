import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** Starts the e2e fleet (real API servers) in a child process and waits until it has written its description. */
export default async function globalSetup() {
  const dir = process.env.FLEETLINE_E2E_DIR!;
  const out = path.join(dir, "fleet.json");
  const child = spawn(process.execPath, ["--import", "tsx", "test-support/cli/e2e-fleet.ts", out], { stdio: ["ignore", "inherit", "inherit"] });
  process.env.FLEETLINE_E2E_FLEET = out;
  process.env.FLEETLINE_E2E_FLEET_PID = String(child.pid);
  // Generous: four API servers on a busy two-core machine can take minutes.
  const deadline = Date.now() + 300_000;
  while (!fs.existsSync(out)) {
    if (child.exitCode !== null) throw new Error(`e2e fleet exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("e2e fleet did not start within 300 s");
    await new Promise((r) => setTimeout(r, 250));
  }
}
