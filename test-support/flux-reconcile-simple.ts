// Kinds the stand-in only needs to look plausible for: OCIRepository, Bucket,
// HelmRepository and HelmRelease become Ready with realistic status fields
// (nothing is pulled or installed). Revisions are derived from the spec so
// that a spec change produces a new revision.
import { now } from "./conditions";
import { artifactFor, sha256, type FluxContext, type Outcome } from "./flux-common";
import type { KubeObject } from "./kube-rest";
import { parseVersion } from "./semver";

const ARTIFACT_SIZE = 4096;

function stored(obj: KubeObject, revision: string, digest: string, message: string): Outcome {
  return {
    ready: "True",
    reason: "Succeeded",
    message,
    status: { artifact: artifactFor(obj, revision, digest, ARTIFACT_SIZE) },
    conditions: [{ type: "ArtifactInStorage", status: "True", reason: "Succeeded", message }],
  };
}

export function reconcileOCIRepository(obj: KubeObject): Outcome {
  const spec = obj.spec as { url: string; ref?: { tag?: string; semver?: string; digest?: string } };
  const ref = spec.ref ?? {};
  const digest = ref.digest ?? sha256(`${spec.url}:${ref.tag ?? ref.semver ?? "latest"}`);
  const revision = ref.digest ? ref.digest : `${ref.tag ?? "latest"}@${digest}`;
  return stored(obj, revision, digest, `stored artifact for digest '${revision}'`);
}

export function reconcileBucket(obj: KubeObject): Outcome {
  const spec = obj.spec as { endpoint: string; bucketName: string; prefix?: string };
  const revision = sha256(`${spec.endpoint}/${spec.bucketName}/${spec.prefix ?? ""}`);
  return stored(obj, revision, revision, `stored artifact: revision '${revision}'`);
}

export function reconcileHelmRepository(obj: KubeObject): Outcome {
  const spec = obj.spec as { url: string; type?: string };
  // OCI Helm repositories are static objects: the stand-in never calls this for them (see flux-standin.ts).
  const revision = sha256(`index:${spec.url}`);
  return stored(obj, revision, revision, `stored artifact: revision '${revision}'`);
}

type HelmReleaseSpec = {
  chart?: { spec: { chart: string; version?: string; sourceRef: { name: string; namespace?: string } } };
  chartRef?: { name: string };
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
  values?: unknown;
};

type Snapshot = { version: number; chartVersion: string; configDigest: string; status: string; [field: string]: unknown };

/**
 * helm-controller's release, without Helm: a release per chart version or values change,
 * snapshots newest first (max 5). It marks Reconciling "Fulfilling prerequisites" keeping Ready,
 * then, when a Helm action is due, Ready=Unknown while it runs. lastAttemptedRevision is set
 * before the action. A failed action (`failure`) records a failed snapshot above the deployed
 * one, Released=False, and with the default remediation (no retries, no remediation of the last
 * failure) Stalled=True RetriesExceeded, terminal until the chart or values change.
 * Simplified: no HelmChart object, and the source's readiness (SourceNotReady) is not checked.
 */
export async function reconcileHelmRelease(ctx: Pick<FluxContext, "progress">, fresh: KubeObject, failure?: { message: string }): Promise<Outcome> {
  let obj = await ctx.progress(fresh, "Fulfilling prerequisites", { keepReady: true });
  const spec = obj.spec as HelmReleaseSpec;
  const status = (obj.status ?? {}) as { history?: Snapshot[]; lastAttemptedReleaseAction?: string; lastAttemptedConfigDigest?: string; lastAttemptedRevision?: string; failures?: number };
  const namespace = obj.metadata.namespace ?? "default";
  const releaseNamespace = spec.targetNamespace ?? namespace;
  const releaseName = spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${obj.metadata.name}` : obj.metadata.name);
  // helm-controller's snapshot names the chart as its Chart.yaml does (`name`), not as the spec
  // points at it: a chart at a path in a Git repository ("charts/redis") is named by its last
  // component here, as chart folders are. Its appVersion is Chart.yaml's appVersion, which the
  // stand-in does not read: it writes the chart version there (a simplification).
  const chartRefName = spec.chart?.spec.chart ?? spec.chartRef?.name ?? obj.metadata.name;
  const chartName = chartRefName.replace(/\/+$/, "").split("/").pop() || chartRefName;
  const requested = spec.chart?.spec.version;
  // A range such as "*" or ">=1.0" resolves to some published version; any will do here.
  const chartVersion = requested && parseVersion(requested) ? requested.replace(/^v/, "") : "1.0.0";
  const configDigest = sha256(JSON.stringify(spec.values ?? {}));
  const history = status.history ?? [];
  const deployed = history.find((h) => h.status === "deployed");
  const latest = history[0];
  const sameTarget = (h: Snapshot | undefined) => !!h && h.chartVersion === chartVersion && h.configDigest === configDigest;
  // Failures are counted per chart version and values (helm-controller resets them when either changes).
  const failedBefore = latest?.status === "failed" && sameTarget(latest) && status.lastAttemptedConfigDigest === configDigest && status.lastAttemptedRevision === chartVersion;
  const action = deployed ? "upgrade" : "install";
  const chartSource = spec.chart?.spec.sourceRef;
  const attempted = {
    lastAttemptedRevision: chartVersion,
    lastAttemptedConfigDigest: configDigest,
    lastAttemptedGeneration: obj.metadata.generation,
    storageNamespace: spec.storageNamespace ?? namespace,
    helmChart: chartSource ? `${chartSource.namespace ?? namespace}/${namespace}-${obj.metadata.name}` : null,
  };
  const fullName = `${releaseNamespace}/${releaseName}`;
  const actionTitle = action === "install" ? "Install" : "Upgrade";
  // A Helm action fails only when one runs: a release already at this chart and values is left alone.
  if (failure && (failedBefore || !sameTarget(deployed))) {
    const failedMessage = `Helm ${action} failed for release ${fullName} with chart ${chartName}@${chartVersion}: ${failure.message}`;
    const reason = `${actionTitle}Failed`;
    const stalled = { stalled: true, stalledReason: "RetriesExceeded", stalledMessage: `Failed to ${action} after 1 attempt(s)` };
    // Retries exhausted: nothing runs again until the chart or values change.
    if (failedBefore) return { ready: "False", reason, message: failedMessage, ...stalled, status: attempted, conditions: [{ type: "Released", status: "False", reason, message: failedMessage }] };
    obj = await ctx.progress(obj, `Running '${action}' action with timeout of 5m0s`);
    const version = (latest?.version ?? 0) + 1;
    const timestamp = now();
    const snapshot: Snapshot = { name: releaseName, namespace: releaseNamespace, version, status: "failed", chartName, chartVersion, appVersion: chartVersion, configDigest, digest: sha256(`${releaseName}.v${version}:${configDigest}`), firstDeployed: timestamp, lastDeployed: timestamp };
    return {
      ready: "False",
      reason,
      message: failedMessage,
      ...stalled,
      status: { ...attempted, history: [snapshot, ...history].slice(0, 5), lastAttemptedReleaseAction: action, failures: (status.failures ?? 0) + 1, [`${action}Failures`]: 1 },
      conditions: [{ type: "Released", status: "False", reason, message: failedMessage }],
    };
  }
  const changed = !sameTarget(deployed);
  const version = (latest?.version ?? 0) + (changed ? 1 : 0);
  if (changed) obj = await ctx.progress(obj, `Running '${action}' action with timeout of 5m0s`);
  const timestamp = now();
  const nextHistory = changed
    ? [
        { name: releaseName, namespace: releaseNamespace, version, status: "deployed", chartName, chartVersion, appVersion: chartVersion, configDigest, digest: sha256(`${releaseName}.v${version}:${configDigest}`), firstDeployed: timestamp, lastDeployed: timestamp },
        ...history.map((h) => (h.status === "deployed" ? { ...h, status: "superseded" } : h)),
      ].slice(0, 5)
    : history;
  const shown = changed ? action : (status.lastAttemptedReleaseAction ?? "install");
  const current = nextHistory.find((h) => h.status === "deployed") ?? nextHistory[0];
  const reason = shown === "install" ? "InstallSucceeded" : "UpgradeSucceeded";
  const message = `Helm ${shown} succeeded for release ${releaseNamespace}/${releaseName}.v${current?.version ?? version} with chart ${chartName}@${current?.chartVersion ?? chartVersion}`;
  return {
    ready: "True",
    reason,
    message,
    status: { ...attempted, history: nextHistory, lastAttemptedReleaseAction: shown, failures: null, installFailures: null, upgradeFailures: null },
    conditions: [{ type: "Released", status: "True", reason, message }],
  };
}
