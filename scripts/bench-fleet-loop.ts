// Started by bench-fleet as a child process: the portal's background half (lib/server/boot:
// migrations, then the one observation loop) on the benchmark's database, so the benchmark can
// read this process's CPU time and resident memory alone. Runs until it is killed.
import { boot } from "../lib/server/boot";

// The loop's timers are unref'd (they must not keep a server alive); this one keeps the process up.
setInterval(() => undefined, 60_000);
boot().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
// A normal exit on SIGTERM, so what the process was started with (--cpu-prof in NODE_OPTIONS) is written out.
process.on("SIGTERM", () => process.exit(0));
