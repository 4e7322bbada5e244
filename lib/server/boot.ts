import { getDb } from "@/db";
import { migrateDatabase } from "@/db/client";
import { describeDatabase } from "@/db/dialect";
import { recordAudit } from "@/lib/audit";
import { countUsers, createFirstAdmin } from "@/lib/auth/users";
import { getMasterKey } from "@/lib/crypto";
import { env } from "@/lib/env";
import { recomputeFingerprints } from "@/lib/credentials/store";
import { removeHalfClones } from "@/lib/git/repository";
import { recomputeClusterFingerprints } from "@/lib/inventory/credentials";
import { startInClusterSync } from "@/lib/inventory/in-cluster";
import { log } from "@/lib/log";
import { resumeInterruptedRollouts, startRolloutResumer } from "@/lib/push/run";
import { startObservationLoop } from "@/lib/observe/loop";
import { startNotificationDispatcher } from "@/lib/notify/dispatch";
import { startWaiverExpiryTimer } from "@/lib/policy/waivers";
import { startRetentionTimer } from "@/lib/retention";
import { startHeapTrim } from "@/lib/server/heap-trim";
import { holdsLease, startReplicaMembership } from "@/lib/server/replicas";

const RETENTION_LEASE = "retention";
const WAIVER_LEASE = "waiver-expiry";

const globalForBoot = globalThis as unknown as { fleetlineBooted?: Promise<void> };

async function seedAdminFromEnv() {
  const { FLEETLINE_ADMIN_EMAIL: email, FLEETLINE_ADMIN_PASSWORD: password } = env();
  if (!email || !password || countUsers() > 0) return;
  const user = await createFirstAdmin({ email: email.toLowerCase(), name: "Administrator", password });
  if (!user) return;
  recordAudit({
    actor: { id: null, email: "system", role: null },
    action: "user.create",
    targetType: "user",
    targetId: user.email,
    outcome: "success",
    details: { role: "admin", source: "FLEETLINE_ADMIN_EMAIL" },
  });
  log.info("created the first admin from FLEETLINE_ADMIN_EMAIL", { email: user.email });
}

async function bootOnce() {
  const e = env(); // throws a readable error for a bad environment before anything else runs
  migrateDatabase(getDb());
  getMasterKey();
  // Fingerprints stored before they were keyed (unsalted hashes) are replaced once.
  const fingerprints = recomputeFingerprints() + recomputeClusterFingerprints();
  if (fingerprints > 0) log.info("replaced unsalted credential fingerprints with keyed ones", { count: fingerprints });
  await seedAdminFromEnv();
  if (e.FLEETLINE_IN_CLUSTER) startInClusterSync(e.FLEETLINE_IN_CLUSTER_NAME);
  const halfClones = removeHalfClones();
  if (halfClones > 0) log.info("removed half-made clones from the git cache", { count: halfClones });
  // Before any new push is accepted (register() awaits boot before the server serves): what a
  // crash left half done goes back to the coordinator first, so a new push queues behind it.
  // Not awaited to the end: a slow cluster must not hold the portal's start-up.
  const resumed = await resumeInterruptedRollouts({}, { wait: false });
  if (resumed.resumed.length || resumed.interrupted.length) log.info("rollouts after restart", resumed);
  if (e.FLEETLINE_BACKGROUND === "on") {
    // Replicas on one database divide the clusters between them; retention and waiver expiries
    // run on whichever holds their lease. The dispatcher needs no lease: each outbox row is
    // claimed by one conditional UPDATE, so two dispatchers never take the same row.
    startReplicaMembership({ leases: [RETENTION_LEASE, WAIVER_LEASE] });
    // One loop observes every cluster (its share of them): inventory facts and status rows from one listing.
    startObservationLoop();
    startWaiverExpiryTimer(undefined, () => holdsLease(WAIVER_LEASE));
    startRetentionTimer(undefined, () => holdsLease(RETENTION_LEASE));
    startNotificationDispatcher();
    // Rollouts a replica that died was running go on here once their lease expires.
    startRolloutResumer();
    // The heap a burst of observations grew is given back once the server is at rest.
    startHeapTrim();
  }
  log.info("fleetline ready", { database: describeDatabase(e.DATABASE_URL), users: countUsers() });
}

export function boot(): Promise<void> {
  globalForBoot.fleetlineBooted ??= bootOnce();
  return globalForBoot.fleetlineBooted;
}
