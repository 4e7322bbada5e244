// `npm run cluster:up [-- --no-flux] [-- --argo]`: one local cluster with the
// CRDs, stand-ins and a git server holding the sample repository, for
// developing the portal by hand. Runs until Ctrl-C, then cleans up.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startHarness } from "../harness";
import { applyObjects, sampleApplication, sampleFluxObjects } from "../sample-objects";

function usage(): never {
  console.error("usage: cluster-up [--no-flux] [--argo]");
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== "--no-flux" && a !== "--argo")) usage();
  const flux = !args.includes("--no-flux");
  const argo = args.includes("--argo");

  const started = Date.now();
  const harness = await startHarness({ clusters: 1, name: "fleetline-dev", flux, argo });
  const [cluster] = harness.clusters;
  const sample = harness.sample;
  if (!cluster || !sample) throw new Error("harness started without a cluster or sample repository");
  const rest = cluster.rest("admin");
  if (flux) await applyObjects(rest, sampleFluxObjects(sample.repo.url));
  if (argo) await applyObjects(rest, [sampleApplication(sample.repo.url)]);

  const viewerPath = path.join(cluster.dir, "kubeconfig-viewer.yaml");
  writeFileSync(viewerPath, cluster.kubeconfig("viewer"), { mode: 0o600 });
  console.log(
    [
      `Cluster ${cluster.name} is up (${((Date.now() - started) / 1000).toFixed(1)} s).`,
      `  API server:         ${cluster.server}`,
      `  kubeconfig (admin): ${cluster.kubeconfigPath}`,
      `  kubeconfig (viewer, read-only): ${viewerPath}`,
      `  sample repo:        ${sample.repo.url}  (branches main, staging; tag v1.0.0)`,
      `  Flux:  ${flux ? "CRDs + stand-in; GitRepository flux-system/fleet-config, Kustomizations infrastructure and apps" : "not installed"}`,
      `  Argo CD: ${argo ? "CRDs + stand-in; Application argocd/podinfo" : "not installed (use --argo)"}`,
      "",
      `  export KUBECONFIG=${cluster.kubeconfigPath}`,
      "Press Ctrl-C to stop and clean up.",
    ].join("\n"),
  );

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping...");
    void harness.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
