// The Argo CD application-controller parts the stand-in needs: repository
// credentials, revision resolution, diffing desired against live objects,
// health, and the sync itself (server-side apply as "argocd-controller").
import type { GitCredentials, GitMirror, ResolvedRevision } from "./git-mirror";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";
import { applyStage, groupOf, versionOf, type ObjectRef } from "./manifests";

export const ARGO_MANAGER = "argocd-controller";
/** Argo CD's default resource tracking: the app name in this label. */
export const TRACKING_LABEL = "app.kubernetes.io/instance";

export type HealthStatus = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";
export type SyncStatus = "Synced" | "OutOfSync" | "Unknown";

// Empty group/namespace are left out (Argo CD omits them too); the envtest kube-apiserver
// build also turns "" in custom resources into null and then rejects it.
export type ResourceStatus = {
  group?: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  status: SyncStatus;
  health?: { status: HealthStatus };
  requiresPruning?: boolean;
};

// Argo CD orders health from best to worst; an app is as healthy as its worst resource.
const HEALTH_ORDER: HealthStatus[] = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

export function worstHealth(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((worst, s) => (HEALTH_ORDER.indexOf(s) > HEALTH_ORDER.indexOf(worst) ? s : worst), "Healthy");
}

/** Credentials from argocd repository Secrets (label argocd.argoproj.io/secret-type=repository, matching url). */
export async function repoCredentials(rest: KubeRest, namespace: string, repoURL: string): Promise<GitCredentials | undefined> {
  const { items } = await rest.list("v1", "Secret", namespace);
  const decode = (value: string | undefined): string | undefined => (value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8"));
  for (const secret of items) {
    if (secret.metadata.labels?.["argocd.argoproj.io/secret-type"] !== "repository") continue;
    const data = (secret.data ?? {}) as Record<string, string>;
    if (decode(data.url) !== repoURL) continue;
    const username = decode(data.username);
    const password = decode(data.password);
    return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
  }
  return undefined;
}

/** targetRevision as Argo CD reads it: HEAD (default), a commit sha, a branch or a tag. */
export async function resolveTarget(mirror: GitMirror, repoURL: string, target: string | undefined, creds?: GitCredentials): Promise<ResolvedRevision> {
  if (!target || target === "HEAD") return mirror.resolve(repoURL, { name: "HEAD" }, creds);
  if (/^[0-9a-f]{40}$/.test(target)) return mirror.resolve(repoURL, { commit: target }, creds);
  return mirror.resolve(repoURL, { branch: target }, creds).catch(() => mirror.resolve(repoURL, { tag: target }, creds));
}

function health(kind: string, live: KubeObject | undefined): HealthStatus | undefined {
  if (!live) return "Missing";
  // Argo CD has no health check for these kinds and leaves health out.
  if (kind === "ConfigMap" || kind === "Secret") return undefined;
  if (kind === "Deployment" || kind === "StatefulSet" || kind === "ReplicaSet") {
    // Nothing runs pods on a test cluster, so workloads stay Progressing unless a test writes their status.
    const spec = live.spec as { replicas?: number };
    const status = (live.status ?? {}) as { readyReplicas?: number };
    return (status.readyReplicas ?? 0) >= (spec.replicas ?? 1) ? "Healthy" : "Progressing";
  }
  return "Healthy";
}

/** True when every field of `desired` has the same value in `live` (extra live fields are fine). */
function contains(live: unknown, desired: unknown): boolean {
  // The API server drops empty maps and lists, so they match a missing field.
  const empty = (v: unknown): boolean => v !== null && typeof v === "object" && Object.keys(v).length === 0;
  if (live === undefined && empty(desired)) return true;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => contains(live[i], d));
  }
  if (desired !== null && typeof desired === "object") {
    if (live === null || typeof live !== "object") return false;
    return Object.entries(desired).every(([k, v]) => contains((live as Record<string, unknown>)[k], v));
  }
  return live === desired;
}

export const refOf = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });

const refKey = (r: { kind: string; namespace?: string; name: string }): string => `${r.kind}/${r.namespace ?? ""}/${r.name}`;

/** Desired objects placed in the destination namespace and labelled for tracking. */
export async function placeObjects(rest: KubeRest, objects: KubeObject[], appName: string, destination: string | undefined): Promise<KubeObject[]> {
  const placed: KubeObject[] = [];
  for (const obj of objects) {
    const copy = structuredClone(obj);
    const { namespaced } = await rest.resourceFor(copy.apiVersion, copy.kind);
    if (!namespaced) delete copy.metadata.namespace;
    else copy.metadata.namespace ??= destination ?? "default";
    copy.metadata.labels = { ...copy.metadata.labels, [TRACKING_LABEL]: appName };
    placed.push(copy);
  }
  return placed.sort((a, b) => applyStage(a) - applyStage(b));
}

export type Comparison = { resources: ResourceStatus[]; sync: SyncStatus; health: HealthStatus; prunable: ObjectRef[] };

/** Compares desired objects with the cluster; previously tracked objects no longer desired need pruning. */
export async function compare(rest: KubeRest, desired: KubeObject[], tracked: ResourceStatus[]): Promise<Comparison> {
  const resources: ResourceStatus[] = [];
  for (const obj of desired) {
    const live = await rest.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const synced = !!live && contains(live, { metadata: { labels: obj.metadata.labels ?? {}, annotations: obj.metadata.annotations ?? {} }, ...without(obj, ["apiVersion", "kind", "metadata"]) });
    const h = health(obj.kind, live);
    const group = groupOf(obj.apiVersion);
    resources.push({
      ...(group ? { group } : {}),
      version: versionOf(obj.apiVersion),
      kind: obj.kind,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      name: obj.metadata.name,
      status: synced ? "Synced" : "OutOfSync",
      ...(h ? { health: { status: h } } : {}),
    });
  }
  const wanted = new Set(resources.map(refKey));
  const prunable: ObjectRef[] = [];
  for (const old of tracked.filter((r) => !wanted.has(refKey(r)))) {
    const ref = { apiVersion: old.group ? `${old.group}/${old.version}` : old.version, kind: old.kind, name: old.name, ...(old.namespace ? { namespace: old.namespace } : {}) };
    if (!(await rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name))) continue;
    prunable.push(ref);
    resources.push({ ...old, status: "OutOfSync", requiresPruning: true, health: { status: "Healthy" } });
  }
  const sync: SyncStatus = resources.every((r) => r.status === "Synced") ? "Synced" : "OutOfSync";
  const healths = resources.filter((r) => !r.requiresPruning).flatMap((r) => (r.health ? [r.health.status] : []));
  return { resources, sync, health: worstHealth(healths), prunable };
}

function without(obj: KubeObject, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

export type SyncResultResource = {
  group?: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  status: string;
  message: string;
  hookPhase: string;
  syncPhase: string;
};

/** Applies every desired object (and prunes when asked); returns Argo CD's per-resource sync results. */
export async function syncObjects(rest: KubeRest, desired: KubeObject[], prune: ObjectRef[]): Promise<{ results: SyncResultResource[]; failed?: string }> {
  const results: SyncResultResource[] = [];
  const result = (ref: ObjectRef, status: string, message: string): SyncResultResource => ({
    ...(groupOf(ref.apiVersion) ? { group: groupOf(ref.apiVersion) } : {}),
    version: versionOf(ref.apiVersion),
    kind: ref.kind,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    name: ref.name,
    status,
    message,
    hookPhase: status === "Synced" || status === "Pruned" ? "Succeeded" : "Failed",
    syncPhase: "Sync",
  });
  let failed: string | undefined;
  for (const obj of desired) {
    const existed = await rest.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const label = `${obj.kind.toLowerCase()}/${obj.metadata.name}`;
    try {
      await rest.apply(obj, ARGO_MANAGER, { force: true });
      results.push(result(refOf(obj), "Synced", `${label} ${existed ? "configured" : "created"}`));
    } catch (err) {
      const message = err instanceof KubeApiError ? err.message : String(err);
      results.push(result(refOf(obj), "SyncFailed", message));
      failed ??= message;
    }
  }
  for (const ref of prune) {
    await rest.remove(ref);
    results.push(result(ref, "Pruned", "pruned"));
  }
  return failed === undefined ? { results } : { results, failed };
}
