import fs from "node:fs";

/** The throwaway database and key of this run go with it. */
export default function globalTeardown() {
  const dir = process.env.FLEETLINE_E2E_DIR;
  if (dir && dir.includes("fleetline-e2e-")) fs.rmSync(dir, { recursive: true, force: true });
}
