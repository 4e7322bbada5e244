// Started by Playwright's global setup: a small fleet of real API servers (with the Flux
// stand-in and the Git fixture server) for the browser tests. Writes what the tests need to
// the JSON file named by argv[2], then runs until SIGTERM or until its parent goes away.
import { writeFileSync } from "node:fs";
import crypto from "node:crypto";
import { startArgoStandIn } from "../argo-standin";
import { startCluster } from "../cluster";
import { createSampleRepo } from "../git-fixtures";
import { startHarness } from "../harness";
import { startPolicyStandIn } from "../policy-standin";

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error("usage: e2e-fleet <output.json>");
  const parent = process.ppid;
  // The stand-ins answer every change at once (they watch); the resync only re-reads Git, and each
  // read is several git processes on both ends: every 2 s it cost the suite's machine more than
  // the portal did. Flux polls a GitRepository on its spec.interval (minutes) anyway.
  const resyncMs = 10_000;
  const [harness, bare, argo] = await Promise.all([
    startHarness({ clusters: 2, name: "e2e", resyncMs }),
    // No reconciler, but Gatekeeper's and the policy reports' kinds, audited every 2 s.
    startCluster({ name: "e2e-bare", flux: false, policy: true }),
    startCluster({ name: "e2e-argo", flux: false, argo: true }),
  ]);
  const argoStandIn = await startArgoStandIn(argo, { repoErrorGraceMs: 3000, resyncMs });
  const policyStandIn = await startPolicyStandIn(bare, { auditIntervalMs: 2000, scanIntervalMs: 0 });
  const all = [...harness.clusters, bare, argo];
  // A private copy of the sample repository, behind basic auth, for credential flows.
  const privateAuth = { username: "fleet-bot", password: crypto.randomBytes(12).toString("hex") };
  const privateRepo = harness.git ? await createSampleRepo(harness.git, "private-fleet", { auth: privateAuth }) : undefined;
  const stop = async () => {
    // The stand-in first: it watches the cluster stopped next.
    await argoStandIn.stop().catch(() => undefined);
    await policyStandIn.stop().catch(() => undefined);
    await Promise.allSettled([harness.stop(), bare.stop(), argo.stop()]);
    process.exit(0);
  };
  writeFileSync(
    out,
    JSON.stringify({
      clusters: all.map((c) => ({ name: c.name, server: c.server, caData: c.caData, adminToken: c.adminToken, viewerToken: c.viewerToken, kubeconfig: c.kubeconfig() })),
      git: harness.sample && privateRepo ? { repoUrl: harness.sample.repo.url, privateRepoUrl: privateRepo.repo.url, privateAuth } : null,
    }),
    { mode: 0o600 },
  );
  console.log(`e2e fleet ready: ${all.map((c) => c.name).join(", ")}`);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Playwright killed without teardown: do not outlive it.
  setInterval(() => {
    if (process.ppid !== parent) void stop();
  }, 1000);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
