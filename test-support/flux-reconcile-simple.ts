// Kinds the stand-in only needs to look plausible for: OCIRepository, Bucket,
// HelmRepository and HelmRelease become Ready with realistic status fields
// (nothing is pulled or installed). Revisions are derived from the spec so
// that a spec change produces a new revision.
import { now } from "./conditions";
import { artifactFor, sha256, type Outcome } from "./flux-common";
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
  // OCI Helm repositories have no index, hence no artifact.
  if (spec.type === "oci") return { ready: "True", reason: "Succeeded", message: "Helm repository is Ready", status: { artifact: null } };
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

/** A Helm release per spec change: install first, then upgrades, history newest first (max 5). */
export function reconcileHelmRelease(obj: KubeObject): Outcome {
  const spec = obj.spec as HelmReleaseSpec;
  const status = (obj.status ?? {}) as { history?: Snapshot[]; lastAttemptedReleaseAction?: string };
  const namespace = obj.metadata.namespace ?? "default";
  const releaseNamespace = spec.targetNamespace ?? namespace;
  const releaseName = spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${obj.metadata.name}` : obj.metadata.name);
  const chartName = spec.chart?.spec.chart ?? spec.chartRef?.name ?? obj.metadata.name;
  const requested = spec.chart?.spec.version;
  // A range such as "*" or ">=1.0" resolves to some published version; any will do here.
  const chartVersion = requested && parseVersion(requested) ? requested.replace(/^v/, "") : "1.0.0";
  const configDigest = sha256(JSON.stringify(spec.values ?? {}));
  const history = status.history ?? [];
  const latest = history[0];
  const changed = !latest || latest.chartVersion !== chartVersion || latest.configDigest !== configDigest;
  const action = changed ? (latest ? "upgrade" : "install") : (status.lastAttemptedReleaseAction ?? "install");
  const version = (latest?.version ?? 0) + (changed ? 1 : 0);
  const timestamp = now();
  const nextHistory = changed
    ? [
        {
          name: releaseName,
          namespace: releaseNamespace,
          version,
          status: "deployed",
          chartName,
          chartVersion,
          appVersion: chartVersion,
          configDigest,
          digest: sha256(`${releaseName}.v${version}:${configDigest}`),
          firstDeployed: timestamp,
          lastDeployed: timestamp,
        },
        ...history.map((h) => ({ ...h, status: "superseded" })),
      ].slice(0, 5)
    : history;
  const reason = action === "install" ? "InstallSucceeded" : "UpgradeSucceeded";
  const message = `Helm ${action} succeeded for release ${releaseNamespace}/${releaseName}.v${version} with chart ${chartName}@${chartVersion}`;
  const chartSource = spec.chart?.spec.sourceRef;
  return {
    ready: "True",
    reason,
    message,
    status: {
      history: nextHistory,
      lastAttemptedRevision: chartVersion,
      lastAttemptedConfigDigest: configDigest,
      lastAttemptedGeneration: obj.metadata.generation,
      lastAttemptedReleaseAction: action,
      storageNamespace: spec.storageNamespace ?? namespace,
      helmChart: chartSource ? `${chartSource.namespace ?? namespace}/${namespace}-${obj.metadata.name}` : null,
    },
    conditions: [{ type: "Released", status: "True", reason, message }],
  };
}
