// One portal replica's background half for lib/server/replicas.int.test.ts: boot() (migrations,
// replica membership, the observation loop, the leased timers) on the test's database, in a
// process of its own, so the test can SIGKILL it. SIGTERM is the clean stop: row and leases go.
import { boot } from "../lib/server/boot";
import { stopReplicaMembership } from "../lib/server/replicas";

// The background timers are unref'd (they must not keep a server alive); this one keeps the process up.
setInterval(() => undefined, 60_000);
boot().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
process.on("SIGTERM", () => {
  stopReplicaMembership();
  process.exit(0);
});
