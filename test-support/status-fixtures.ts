// Status objects as the real controllers leave them, written by hand for Fleetline from Flux's
// and Argo CD's API documentation and controller source (kustomize-controller finalizeStatus and
// checkDependencies; source-controller's summarize and HelmRepository OCI handling;
// helm-controller's atomic release, history snapshots and remediation; fluxcd/pkg's condition
// setter, which stamps every condition with the object's generation; the inventory id encoding
// of fluxcd/cli-utils; Argo CD's app controller: auto-sync and the repository error grace period).
//
// One table, two users: the portal's reading is unit-tested against it (lib/reconcilers/flux/derive.test.ts,
// lib/reconcilers/argo/status.test.ts, lib/drift/inventory.test.ts), and the stand-ins are driven into each
// scenario and must produce the same status shape and verdict (test-support/*.test.ts). So the
// stand-ins and the reading cannot drift apart again.
import type { ComplianceState } from "@/db/schema-status";

const CREATED = "2025-06-01T10:00:00Z";
/** "Now" for every fixture: two hours after creation, so no first-sighting grace applies unless a fixture says so. */
export const FIXTURE_NOW = Date.parse("2025-06-01T12:00:00Z");
const AT = "2025-06-01T11:59:00Z";
export const FIXTURE_SHA = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
export const FIXTURE_OLD_SHA = "0f0e0d0c0b0a09080706050403020100ffeeddcc";
const REV = `main@sha1:${FIXTURE_SHA}`;
const OLD_REV = `main@sha1:${FIXTURE_OLD_SHA}`;

type Cond = { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string; observedGeneration?: number; lastTransitionTime: string };
const cond = (type: string, status: Cond["status"], reason: string, message: string, observedGeneration: number): Cond => ({ type, status, reason, message, observedGeneration, lastTransitionTime: AT });

export type FixtureObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; generation: number; creationTimestamp: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: Record<string, unknown> & { observedGeneration?: number; conditions?: Cond[] };
};

export type Expected = { state: ComplianceState; reason: string };

export type FluxFixture = {
  id: string;
  /** The item of issue 19 it pins down. */
  items: number[];
  title: string;
  object: FixtureObject;
  expected: Expected;
};

const KS = "kustomize.toolkit.fluxcd.io/v1";
const SRC = "source.toolkit.fluxcd.io/v1";
const HR = "helm.toolkit.fluxcd.io/v2";

function ks(name: string, generation: number, status: FixtureObject["status"], spec: Record<string, unknown> = {}, extra: Partial<FixtureObject["metadata"]> = {}): FixtureObject {
  return {
    apiVersion: KS,
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system", generation, creationTimestamp: CREATED, ...extra },
    spec: { interval: "10m", prune: true, path: "./apps", sourceRef: { kind: "GitRepository", name: "fleet" }, ...spec },
    ...(status ? { status } : {}),
  };
}

const MISSING_PATH = "kustomization path not found: stat /tmp/kustomization-1234/does-not-exist: no such file or directory";

export const FLUX_FIXTURES: FluxFixture[] = [
  {
    id: "ks-failing-new-generation",
    items: [1],
    title: "a new generation that fails keeps the old observedGeneration; Ready=False is stamped with the new one",
    object: ks(
      "apps",
      3,
      {
        observedGeneration: 2,
        lastAppliedRevision: OLD_REV,
        lastAttemptedRevision: OLD_REV,
        conditions: [cond("Reconciling", "True", "ProgressingWithRetry", "Fetching manifests for revision " + REV + " with a timeout of 9m30s", 3), cond("Ready", "False", "ArtifactFailed", MISSING_PATH, 3)],
      },
      { path: "./does-not-exist" },
    ),
    expected: { state: "Non-Compliant", reason: "ArtifactFailed" },
  },
  {
    id: "ks-never-succeeded-missing-path",
    items: [1, 8],
    title: "a missing path is ArtifactFailed, before lastAttemptedRevision is set; observedGeneration stays -1",
    object: ks(
      "broken",
      1,
      {
        observedGeneration: -1,
        conditions: [cond("Reconciling", "True", "ProgressingWithRetry", "Fetching manifests for revision " + REV + " with a timeout of 9m30s", 1), cond("Ready", "False", "ArtifactFailed", MISSING_PATH, 1)],
      },
      { path: "./does-not-exist" },
    ),
    expected: { state: "Non-Compliant", reason: "ArtifactFailed" },
  },
  {
    id: "git-bad-ref-new-generation",
    items: [1],
    title: "a GitRepository whose new ref does not exist: Ready=False at the new generation, observedGeneration behind",
    object: {
      apiVersion: SRC,
      kind: "GitRepository",
      metadata: { name: "fleet", namespace: "flux-system", generation: 2, creationTimestamp: CREATED },
      spec: { url: "https://git.example.com/fleet", interval: "10m", ref: { branch: "nope" } },
      status: {
        observedGeneration: 1,
        artifact: { revision: OLD_REV },
        conditions: [
          cond("Reconciling", "True", "ProgressingWithRetry", "processing object: new generation 1 -> 2", 2),
          cond("Ready", "False", "GitOperationFailed", "failed to checkout and determine revision: unable to clone 'https://git.example.com/fleet': couldn't find remote ref \"refs/heads/nope\"", 2),
          cond("FetchFailed", "True", "GitOperationFailed", "failed to checkout and determine revision: unable to clone 'https://git.example.com/fleet': couldn't find remote ref \"refs/heads/nope\"", 2),
        ],
      },
    },
    expected: { state: "Non-Compliant", reason: "GitOperationFailed" },
  },
  {
    id: "ks-dependency-wait",
    items: [3],
    title: "a dependent waits until its dependency applied the same revision: Ready=False DependencyNotReady, no Reconciling",
    object: ks(
      "apps",
      1,
      {
        observedGeneration: 1,
        lastAppliedRevision: OLD_REV,
        lastAttemptedRevision: OLD_REV,
        conditions: [cond("Ready", "False", "DependencyNotReady", "dependency 'flux-system/infra' revision is not up to date", 1)],
      },
      { dependsOn: [{ name: "infra" }] },
    ),
    expected: { state: "Pending", reason: "DependencyNotReady" },
  },
  {
    id: "ks-dependency-wait-new",
    items: [1, 3],
    title: "a new dependent that never ran: DependencyNotReady with observedGeneration -1 is a wait, not a failure",
    object: ks("apps", 1, { observedGeneration: -1, conditions: [cond("Ready", "False", "DependencyNotReady", "dependency 'flux-system/infra' is not ready", 1)] }, { dependsOn: [{ name: "infra" }] }),
    expected: { state: "Pending", reason: "DependencyNotReady" },
  },
  {
    id: "ks-source-artifact-missing",
    items: [1],
    title: "a Kustomization whose source has no artifact yet waits (ArtifactFailed while retrying)",
    object: ks("apps", 1, { observedGeneration: -1, conditions: [cond("Ready", "False", "ArtifactFailed", "Source artifact not found, retrying in 30s", 1)] }),
    expected: { state: "Pending", reason: "ArtifactFailed" },
  },
  {
    id: "ks-mid-reconcile",
    items: [4],
    title: "every Kustomization reconcile passes through Ready=Unknown with Reconciling=True",
    object: ks("apps", 1, {
      observedGeneration: 1,
      lastAppliedRevision: REV,
      lastAttemptedRevision: REV,
      conditions: [cond("Reconciling", "True", "Progressing", `Fetching manifests for revision ${REV} with a timeout of 9m30s`, 1), cond("Ready", "Unknown", "Progressing", "Reconciliation in progress", 1)],
    }),
    expected: { state: "Pending", reason: "Progressing" },
  },
  {
    id: "hr-reconciling-ready-true",
    items: [4],
    title: "a HelmRelease sets Reconciling=True while Ready stays True from the last run at this generation",
    object: {
      apiVersion: HR,
      kind: "HelmRelease",
      metadata: { name: "podinfo", namespace: "flux-system", generation: 1, creationTimestamp: CREATED },
      spec: { interval: "10m", chart: { spec: { chart: "podinfo", version: "6.5.4", sourceRef: { kind: "HelmRepository", name: "podinfo" } } } },
      status: {
        observedGeneration: 1,
        lastAttemptedRevision: "6.5.4",
        lastAttemptedReleaseAction: "install",
        history: [{ name: "podinfo", namespace: "flux-system", version: 1, status: "deployed", chartName: "podinfo", chartVersion: "6.5.4", appVersion: "6.5.4", configDigest: "sha256:aa", digest: "sha256:bb", firstDeployed: AT, lastDeployed: AT }],
        conditions: [
          cond("Reconciling", "True", "Progressing", "Fulfilling prerequisites", 1),
          cond("Ready", "True", "InstallSucceeded", "Helm install succeeded for release flux-system/podinfo.v1 with chart podinfo@6.5.4", 1),
          cond("Released", "True", "InstallSucceeded", "Helm install succeeded for release flux-system/podinfo.v1 with chart podinfo@6.5.4", 1),
        ],
      },
    },
    expected: { state: "Compliant", reason: "InstallSucceeded" },
  },
  {
    id: "hr-source-not-ready",
    items: [3],
    title: "a HelmRelease waiting for its chart: Ready=False SourceNotReady is a wait",
    object: {
      apiVersion: HR,
      kind: "HelmRelease",
      metadata: { name: "podinfo", namespace: "flux-system", generation: 1, creationTimestamp: CREATED },
      spec: { interval: "10m", chart: { spec: { chart: "podinfo", sourceRef: { kind: "HelmRepository", name: "podinfo" } } } },
      status: {
        observedGeneration: -1,
        conditions: [cond("Reconciling", "True", "Progressing", "Fulfilling prerequisites", 1), cond("Ready", "False", "SourceNotReady", "HelmChart 'flux-system/flux-system-podinfo' is not ready: latest generation of object has not been reconciled", 1)],
      },
    },
    expected: { state: "Pending", reason: "SourceNotReady" },
  },
  {
    id: "oci-helmrepository",
    items: [2],
    title: "an OCI HelmRepository is static: source-controller leaves its status empty",
    object: {
      apiVersion: SRC,
      kind: "HelmRepository",
      metadata: { name: "charts", namespace: "flux-system", generation: 1, creationTimestamp: CREATED },
      spec: { url: "oci://ghcr.io/example/charts", type: "oci", interval: "10m" },
    },
    expected: { state: "Compliant", reason: "StaticObject" },
  },
  {
    id: "hr-failed-upgrade",
    items: [5],
    title: "a failed upgrade with the default remediation: Released=False, Stalled RetriesExceeded, the deployed snapshot below the failed one",
    object: {
      apiVersion: HR,
      kind: "HelmRelease",
      metadata: { name: "podinfo", namespace: "flux-system", generation: 2, creationTimestamp: CREATED },
      spec: { interval: "10m", chart: { spec: { chart: "podinfo", version: "6.5.5", sourceRef: { kind: "HelmRepository", name: "podinfo" } } } },
      status: {
        // Exceeded retries are terminal: the patch records the generation.
        observedGeneration: 2,
        failures: 1,
        upgradeFailures: 1,
        lastAttemptedRevision: "6.5.5",
        lastAttemptedGeneration: 2,
        lastAttemptedReleaseAction: "upgrade",
        history: [
          { name: "podinfo", namespace: "flux-system", version: 2, status: "failed", chartName: "podinfo", chartVersion: "6.5.5", appVersion: "6.5.5", configDigest: "sha256:cc", digest: "sha256:dd", firstDeployed: AT, lastDeployed: AT },
          { name: "podinfo", namespace: "flux-system", version: 1, status: "deployed", chartName: "podinfo", chartVersion: "6.5.4", appVersion: "6.5.4", configDigest: "sha256:aa", digest: "sha256:bb", firstDeployed: CREATED, lastDeployed: CREATED },
        ],
        conditions: [
          cond("Stalled", "True", "RetriesExceeded", "Failed to upgrade after 1 attempt(s)", 2),
          cond("Ready", "False", "UpgradeFailed", "Helm upgrade failed for release flux-system/podinfo with chart podinfo@6.5.5: context deadline exceeded", 2),
          cond("Released", "False", "UpgradeFailed", "Helm upgrade failed for release flux-system/podinfo with chart podinfo@6.5.5: context deadline exceeded", 2),
        ],
      },
    },
    expected: { state: "Non-Compliant", reason: "RetriesExceeded" },
  },
  {
    id: "ks-inventory-rbac-colon",
    items: [6],
    title: "inventory ids write ':' in RBAC names as '__'",
    object: ks("rbac", 1, {
      observedGeneration: 1,
      lastAppliedRevision: REV,
      lastAttemptedRevision: REV,
      inventory: {
        entries: [
          { id: "_system__fleet-reader_rbac.authorization.k8s.io_ClusterRole", v: "v1" },
          { id: "_system__fleet-reader_rbac.authorization.k8s.io_ClusterRoleBinding", v: "v1" },
          { id: "podinfo_podinfo__Service", v: "v1" },
        ],
      },
      conditions: [cond("Ready", "True", "ReconciliationSucceeded", `Applied revision: ${REV}`, 1)],
    }),
    expected: { state: "Compliant", reason: "ReconciliationSucceeded" },
  },
  {
    id: "ks-suspended-handled-request",
    items: [7],
    title: "a suspended Kustomization still records the reconcile request and (Ready=True) the generation",
    object: ks(
      "apps",
      2,
      {
        observedGeneration: 2,
        lastAppliedRevision: REV,
        lastAttemptedRevision: REV,
        lastHandledReconcileAt: "2025-06-01T11:58:00Z",
        conditions: [cond("Ready", "True", "ReconciliationSucceeded", `Applied revision: ${REV}`, 1)],
      },
      { suspend: true },
      { annotations: { "reconcile.fluxcd.io/requestedAt": "2025-06-01T11:58:00Z" } },
    ),
    expected: { state: "Suspended", reason: "Suspended" },
  },
  {
    id: "ks-controllers-down",
    items: [10],
    title: "with the controllers down a new object keeps the CRD default observedGeneration -1 and no condition",
    object: ks("apps", 1, { observedGeneration: -1 }),
    expected: { state: "Unknown", reason: "NotReconciled" },
  },
  {
    id: "ks-controllers-down-new-generation",
    items: [10],
    title: "a push long ago, still not reconciled: no condition at the current generation",
    object: ks("apps", 2, { observedGeneration: 1, lastAppliedRevision: REV, conditions: [cond("Ready", "True", "ReconciliationSucceeded", `Applied revision: ${REV}`, 1)] }, {}, { creationTimestamp: "2025-05-01T00:00:00Z" }),
    expected: { state: "Unknown", reason: "NotReconciled" },
  },
];

export type ArgoFixtureApp = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { project: string; source: { repoURL: string; path: string; targetRevision: string }; destination: { server: string; namespace: string }; syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } } };
  operation?: Record<string, unknown>;
  status?: {
    sync?: { status: string; revision?: string };
    health?: { status: string; message?: string };
    history?: { id: number; revision: string; deployedAt: string }[];
    operationState?: { phase: string; message?: string; syncResult?: { revision: string } };
    conditions?: { type: string; message: string; lastTransitionTime?: string }[];
  };
};

export type ArgoFixture = { id: string; items: number[]; title: string; app: ArgoFixtureApp; expected: Expected };

function app(status: ArgoFixtureApp["status"]): ArgoFixtureApp {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "fleet-apps", namespace: "argocd", creationTimestamp: CREATED },
    spec: {
      project: "default",
      source: { repoURL: "https://git.example.com/fleet", path: "apps", targetRevision: "main" },
      destination: { server: "https://kubernetes.default.svc", namespace: "apps" },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    ...(status ? { status } : {}),
  };
}

const DEPLOYED = [{ id: 0, revision: FIXTURE_OLD_SHA, deployedAt: CREATED }];

export const ARGO_FIXTURES: ArgoFixture[] = [
  {
    id: "argo-sync-error",
    items: [9],
    title: "after a failed automated sync Argo CD records SyncError and does not retry that revision",
    app: app({
      sync: { status: "OutOfSync", revision: FIXTURE_SHA },
      health: { status: "Missing" },
      history: DEPLOYED,
      operationState: { phase: "Failed", message: "one or more objects failed to apply, reason: admission webhook denied the request", syncResult: { revision: FIXTURE_SHA } },
      conditions: [{ type: "SyncError", message: `Failed last sync attempt to [${FIXTURE_SHA}]: one or more objects failed to apply, reason: admission webhook denied the request`, lastTransitionTime: AT }],
    }),
    expected: { state: "Non-Compliant", reason: "SyncError" },
  },
  {
    id: "argo-comparison-error",
    items: [9],
    title: "past the repository error grace period: ComparisonError, sync Unknown and no sync.revision",
    app: app({
      sync: { status: "Unknown" },
      health: { status: "Healthy" },
      history: DEPLOYED,
      conditions: [{ type: "ComparisonError", message: "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = authentication required", lastTransitionTime: AT }],
    }),
    expected: { state: "Non-Compliant", reason: "ComparisonError" },
  },
];

/**
 * What a status says, without the values that differ between runs (times, digests, messages):
 * how observedGeneration and each condition's observedGeneration relate to metadata.generation,
 * condition types, statuses and reasons, which revision fields are set, history statuses.
 * A stand-in's status for a scenario must have the same shape as the fixture's.
 */
export type StatusShape = {
  observedGeneration: "none" | "behind" | "current";
  conditions: { type: string; status: string; reason: string; at: "current" | "older" | "unstamped" }[];
  fields: string[];
  history?: string[];
};

type AnyObject = { metadata: { generation?: number }; status?: unknown };

const SHAPE_FIELDS = ["artifact", "lastAppliedRevision", "lastAttemptedRevision", "lastHandledReconcileAt", "failures"];

export function statusShape(object: AnyObject, fields: readonly string[] = SHAPE_FIELDS): StatusShape {
  const status = (object.status ?? {}) as { observedGeneration?: number; conditions?: Cond[]; history?: { status?: string }[] } & Record<string, unknown>;
  const generation = object.metadata.generation ?? 0;
  const observed = status.observedGeneration;
  const relation = observed === undefined || observed < 1 ? "none" : observed < generation ? "behind" : "current";
  const conditions = (status.conditions ?? [])
    .map((c) => ({ type: c.type, status: c.status, reason: c.reason, at: c.observedGeneration === undefined ? ("unstamped" as const) : c.observedGeneration >= generation ? ("current" as const) : ("older" as const) }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  const present = fields.filter((f) => status[f] !== undefined && status[f] !== null);
  const history = Array.isArray(status.history) && object.status && "lastAttemptedReleaseAction" in (object.status as object) ? status.history.map((h) => h.status ?? "") : undefined;
  return { observedGeneration: relation, conditions, fields: present, ...(history ? { history } : {}) };
}

/**
 * The shapes to compare for a stand-in's object and a fixture: lastHandledReconcileAt only counts
 * when the fixture is about reconcile requests (a stand-in's object may carry one from an earlier test).
 */
export function shapesToCompare(object: AnyObject, fixtureId: string): { actual: StatusShape; expected: StatusShape } {
  const fixture = fluxFixture(fixtureId).object;
  const fields = SHAPE_FIELDS.filter((f) => f !== "lastHandledReconcileAt" || fixture.status?.lastHandledReconcileAt !== undefined);
  return { actual: statusShape(object, fields), expected: statusShape(fixture, fields) };
}

export function fluxFixture(id: string): FluxFixture {
  const found = FLUX_FIXTURES.find((f) => f.id === id);
  if (!found) throw new Error(`no Flux status fixture ${id}`);
  return found;
}

export function argoFixture(id: string): ArgoFixture {
  const found = ARGO_FIXTURES.find((f) => f.id === id);
  if (!found) throw new Error(`no Argo CD status fixture ${id}`);
  return found;
}
