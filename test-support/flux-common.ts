// Types and helpers shared by the Flux stand-in's reconcilers.
import crypto from "node:crypto";
import type { ConditionInput, ConditionStatus } from "./conditions";
import { now } from "./conditions";
import type { GitCredentials, GitMirror } from "./git-mirror";
import type { KubeObject, KubeRest } from "./kube-rest";

export const REQUESTED_AT = "reconcile.fluxcd.io/requestedAt";

export const FLUX_API_VERSIONS = {
  GitRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  Bucket: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
} as const;

export type FluxKind = keyof typeof FLUX_API_VERSIONS;

/** What one reconcile concluded; the stand-in turns it into conditions and a status patch. */
export type Outcome = {
  ready: ConditionStatus;
  reason: string;
  message: string;
  /** Kind-specific status fields; null removes a field. */
  status?: Record<string, unknown>;
  /** Conditions besides Ready (ArtifactInStorage, FetchFailed, Released...). */
  conditions?: ConditionInput[];
  removeConditions?: string[];
  /** Stalled=True: Flux gives up until the spec changes (no requeue). */
  stalled?: boolean;
  /** A wait (dependency, source artifact): requeued on the fixed dependency interval, not the object's interval. */
  wait?: boolean;
  /** Reason of a Stalled condition that differs from Ready's (helm-controller's RetriesExceeded). */
  stalledReason?: string;
  stalledMessage?: string;
};

/**
 * Marks the object as being reconciled, where the real controller does: Reconciling=True with
 * `message`, and Ready=Unknown "Reconciliation in progress" unless `keepReady` (helm-controller
 * keeps Ready while it checks prerequisites). Returns the object as patched.
 */
export type Progress = (obj: KubeObject, message: string, opts?: { keepReady?: boolean }) => Promise<KubeObject>;

export type FluxContext = {
  rest: KubeRest;
  /**
   * A client acting as a service account (Impersonate-User `system:serviceaccount:<ns>:<name>`),
   * as fluxcd/pkg's Impersonator builds one for spec.serviceAccountName: only the user name is
   * impersonated, and the API server adds the service-account groups itself.
   */
  restAs(namespace: string, serviceAccountName: string): KubeRest;
  mirror: GitMirror;
  /** kustomize-controller's --requeue-dependency (30s by default). */
  dependencyRequeueMs: number;
  progress: Progress;
};

/** Go's time.Duration String() for whole values: "30s", "1m0s", "500ms". */
export function goDurationString(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Number((seconds - minutes * 60).toFixed(3));
  return minutes < 60 ? `${minutes}m${rest}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m${rest}s`;
}

export type Artifact = { path: string; url: string; revision: string; digest: string; lastUpdateTime: string; size: number };

export type SecretRef = { name: string } | undefined;

/** Keeps the stored artifact (and its lastUpdateTime) while the revision does not change. */
export function artifactFor(obj: KubeObject, revision: string, digest: string, size: number): Artifact {
  const previous = (obj.status as { artifact?: Artifact } | undefined)?.artifact;
  if (previous?.revision === revision && previous.digest === digest) return previous;
  const file = `${digest.split(":").pop()?.slice(0, 40)}.tar.gz`;
  const artifactPath = `${obj.kind.toLowerCase()}/${obj.metadata.namespace}/${obj.metadata.name}/${file}`;
  return {
    path: artifactPath,
    url: `http://source-controller.flux-system.svc.cluster.local./${artifactPath}`,
    revision,
    digest,
    lastUpdateTime: now(),
    size,
  };
}

export const sha256 = (text: string): string => `sha256:${crypto.createHash("sha256").update(text).digest("hex")}`;

export class SecretError extends Error {}

/** username/password or bearerToken from the Secret a source names, as source-controller reads them. */
export async function credentialsFrom(rest: KubeRest, namespace: string, ref: SecretRef): Promise<GitCredentials | undefined> {
  if (!ref) return undefined;
  const secret = await rest.get("v1", "Secret", namespace, ref.name);
  if (!secret) throw new SecretError(`failed to get secret '${namespace}/${ref.name}': secrets "${ref.name}" not found`);
  const data = (secret.data ?? {}) as Record<string, string>;
  const value = (key: string): string | undefined => (data[key] === undefined ? undefined : Buffer.from(data[key], "base64").toString("utf8"));
  const creds: GitCredentials = {};
  const username = value("username");
  const password = value("password");
  const bearerToken = value("bearerToken");
  if (username !== undefined) creds.username = username;
  if (password !== undefined) creds.password = password;
  if (bearerToken !== undefined) creds.bearerToken = bearerToken;
  return creds;
}

/** Go duration ("1m30s", "10m", "500ms") in milliseconds; undefined when it does not parse. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/.exec(rest);
    if (!m || !m[1] || !m[2]) return undefined;
    total += Number(m[1]) * (units[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}
