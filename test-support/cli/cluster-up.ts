// `npm run cluster:up [-- --argo | --flux --argo | --no-flux] [-- --name NAME]`: one local
// cluster with the CRDs, stand-ins and a git server holding the sample repository (which
// accepts pushes), for developing and trying the portal by hand. Runs until Ctrl-C; every way
// it ends (Ctrl-C twice, SIGTERM, SIGHUP, a failed start, an exception) removes what it started.
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startHarness, type Harness } from "../harness";
import { cleanupSync } from "../process-guard";
import { applyObjects, sampleApplication, sampleFluxObjects } from "../sample-objects";
import { parseClusterUpArgs, USAGE } from "./cluster-up-args";

async function main(): Promise<void> {
  const options = parseClusterUpArgs(process.argv.slice(2));
  if (!options) {
    console.error(USAGE);
    process.exit(2);
  }
  let harness: Harness | undefined;
  const dirs: string[] = [];
  let stopping: Promise<void> | undefined;

  // Installed before anything starts, so a Ctrl-C during the start cleans up too.
  const removeDirs = (): void => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  const teardown = (code: number): Promise<void> => {
    stopping ??= (async () => {
      console.log("\nStopping and removing everything cluster:up started...");
      // A stop that hangs must not keep the data behind: at most 15 s, then the synchronous path.
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref());
      await Promise.race([harness?.stop().catch((err: unknown) => console.error(`stop failed: ${String(err)}`)), deadline]);
      cleanupSync();
      // Again after the servers are gone: a dying etcd can write after the first removal.
      removeDirs();
      process.exit(code);
    })();
    return stopping;
  };
  let signals = 0;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      // A second Ctrl-C does not wait for the graceful stop.
      if (++signals > 1) {
        cleanupSync();
        removeDirs();
        process.exit(130);
      }
      void teardown(0);
    });
  }
  process.on("exit", () => {
    cleanupSync();
    removeDirs();
  });
  process.on("uncaughtException", (err) => {
    console.error(err);
    void teardown(1);
  });
  process.on("unhandledRejection", (err) => {
    console.error(err);
    void teardown(1);
  });

  const started = Date.now();
  try {
    harness = await startHarness({ clusters: 1, name: options.name, flux: options.flux, argo: options.argo, samplePushable: true });
    const [cluster] = harness.clusters;
    const sample = harness.sample;
    if (!cluster || !sample) throw new Error("harness started without a cluster or sample repository");
    dirs.push(cluster.dir, cluster.etcdDir);
    const rest = cluster.rest("admin");
    if (options.flux) await applyObjects(rest, sampleFluxObjects(sample.repo.url));
    if (options.argo) await applyObjects(rest, [sampleApplication(sample.repo.url)]);

    const viewerPath = path.join(cluster.dir, "kubeconfig-viewer.yaml");
    writeFileSync(viewerPath, cluster.kubeconfig("viewer"), { mode: 0o600 });
    console.log(
      [
        `Cluster ${cluster.name} is up (${((Date.now() - started) / 1000).toFixed(1)} s).`,
        `  API server:         ${cluster.server}`,
        `  kubeconfig (admin): ${cluster.kubeconfigPath}   <- paste this file at /clusters/new`,
        `  kubeconfig (viewer, read-only): ${viewerPath}`,
        `    (the same API server: register it once; a read-only registration cannot push)`,
        `  sample repo:        ${sample.repo.url}  (branches main, staging; tag v1.0.0; accepts git push)`,
        `  Flux:    ${options.flux ? "CRDs + stand-in; GitRepository flux-system/fleet-config, Kustomizations infrastructure and apps" : "not installed"}`,
        `  Argo CD: ${options.argo ? "CRDs + stand-in; Application argocd/podinfo" : "not installed (--argo for Argo CD only, --flux --argo for both)"}`,
        `  data:    ${cluster.dir} and etcd data ${cluster.etcdDir} (both removed on exit)`,
        "",
        "Loopback sources need FLEETLINE_ALLOW_LOCAL_SOURCES=true on the portal.",
        "Make a new commit on main (then watch \"behind by 1\" and the new revision):",
        `  git clone -q ${sample.repo.url} /tmp/fleet-config && cd /tmp/fleet-config && echo "# $(date)" >> README.md && git commit -qam "Try a change" && git push -q origin HEAD:main`,
        "",
        `  export KUBECONFIG=${cluster.kubeconfigPath}`,
        "Press Ctrl-C to stop and clean up.",
      ].join("\n"),
    );
  } catch (err) {
    console.error(`cluster:up failed: ${err instanceof Error ? err.message : String(err)}`);
    await teardown(1);
  }
}

void main();
