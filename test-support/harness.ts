// One call for tests that need a fleet: clusters, the git fixture server with
// the sample repository, and a Flux (and optionally Argo CD and policy engine)
// stand-in per cluster, all stopped by a single stop().
import { startArgoStandIn, type ArgoStandIn } from "./argo-standin";
import { startFleet, type TestCluster } from "./cluster";
import { startFluxStandIn, type FluxStandIn } from "./flux-standin";
import { createSampleRepo, type SampleRepo } from "./git-fixtures";
import { startGitServer, type GitServer } from "./git-server";
import { startPolicyStandIn, type PolicyStandIn, type PolicyStandInOptions } from "./policy-standin";

export type HarnessOptions = {
  clusters?: number;
  /** Cluster name prefix (clusters are <name>-1, <name>-2...). */
  name?: string;
  /** Flux CRDs (and the Flux stand-in when standIn). Default true. */
  flux?: boolean;
  /** Argo CD CRDs (and the Argo CD stand-in when standIn). Default false. */
  argo?: boolean;
  /** Gatekeeper and policy report CRDs (and the policy stand-in when standIn). Default false. */
  policy?: boolean;
  /** Options of the policy stand-ins (audit interval, violations limit, report group...). */
  policyOptions?: PolicyStandInOptions;
  /** Run the stand-in controllers. Default true. */
  standIn?: boolean;
  /** Start the git fixture server with the sample repository. Default true. */
  git?: boolean;
  /** The sample repository accepts `git push` over HTTP (cluster:up). Default false. */
  samplePushable?: boolean;
  /** Stand-in resync period in ms (default 2000). */
  resyncMs?: number;
  /**
   * How long a Kustomization waiting for a dependency waits before it looks again. Flux's default
   * is 30 s; tests default to 2 s so a dependency chain settles within a sweep or two.
   */
  dependencyRequeueMs?: number;
  /** How long the Argo CD stand-in keeps quiet about repository errors (Argo CD's default: 180 s; tests: 3 s). */
  repoErrorGraceMs?: number;
};

export type Harness = {
  clusters: TestCluster[];
  /** Same order as clusters; empty without Flux or stand-ins. */
  flux: FluxStandIn[];
  argo: ArgoStandIn[];
  /** Same order as clusters; empty without `policy` or stand-ins. */
  policy: PolicyStandIn[];
  git?: GitServer;
  sample?: SampleRepo;
  stop(): Promise<void>;
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const withFlux = opts.flux ?? true;
  const withArgo = opts.argo ?? false;
  const withPolicy = opts.policy ?? false;
  const standIn = opts.standIn ?? true;
  const [fleet, gitServer] = await Promise.allSettled([
    startFleet(opts.clusters ?? 1, { flux: withFlux, argo: withArgo, policy: withPolicy, ...(opts.name ? { name: opts.name } : {}) }),
    opts.git === false ? Promise.resolve(undefined) : startGitServer(),
  ]);
  const clusters = fleet.status === "fulfilled" ? fleet.value : [];
  const git = gitServer.status === "fulfilled" ? gitServer.value : undefined;
  const flux: FluxStandIn[] = [];
  const argo: ArgoStandIn[] = [];
  const policy: PolicyStandIn[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([...flux, ...argo, ...policy].map((s) => s.stop()));
    await Promise.all([...clusters.map((c) => c.stop()), git?.stop()]);
  };
  try {
    if (fleet.status === "rejected") throw fleet.reason;
    if (gitServer.status === "rejected") throw gitServer.reason;
    const sample = git ? await createSampleRepo(git, undefined, opts.samplePushable ? { acceptPushes: true } : {}) : undefined;
    if (standIn) {
      const resync = opts.resyncMs === undefined ? {} : { resyncMs: opts.resyncMs };
      const dependencyRequeueMs = opts.dependencyRequeueMs ?? 2000;
      const repoErrorGraceMs = opts.repoErrorGraceMs ?? 3000;
      if (withFlux) flux.push(...(await Promise.all(clusters.map((c) => startFluxStandIn(c, { ...resync, dependencyRequeueMs })))));
      if (withArgo) argo.push(...(await Promise.all(clusters.map((c) => startArgoStandIn(c, { ...resync, repoErrorGraceMs })))));
      if (withPolicy) policy.push(...(await Promise.all(clusters.map((c) => startPolicyStandIn(c, opts.policyOptions)))));
    }
    return { clusters, flux, argo, policy, ...(git ? { git } : {}), ...(sample ? { sample } : {}), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
