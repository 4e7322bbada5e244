import { describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { renderFluxObjects } from "./render";
import { configurationSpecSchema } from "@/lib/validation/configuration";
import type { Target } from "@/lib/status/expected";
import { FLUX_KINDS } from "./kinds";
import type { LiveFluxObject } from "./list";
import { observeTarget, unreachableRow } from "./rows";
import { fluxFixture } from "@/test-support/status-fixtures";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const OLD = `main@sha1:${"a".repeat(40)}`;
const NEW = `main@sha1:${"b".repeat(40)}`;

const spec = configurationSpecSchema.parse({
  name: "fleet",
  scope: "cluster",
  source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
  kustomizations: [{ name: "apps", path: "./apps" }],
  targets: { clusterIds: ["c1"] },
});
const rendered = renderFluxObjects({ spec, version: 2, configurationId: "cfg" });
const target: Target = { configurationId: "cfg", name: "fleet", clusterId: "c1", reconciler: "flux", expectedVersion: 2, push: { version: 2, action: "apply", state: "applied", reason: null }, spec, rendered };

function live(kind: string, status: NonNullable<LiveFluxObject["status"]>, annotations: Record<string, string> = {}): LiveFluxObject {
  const object = rendered.find((o) => o.kind === kind)!;
  return {
    ...structuredClone(object),
    metadata: { ...structuredClone(object.metadata), generation: 1, annotations: { ...object.metadata.annotations, ...annotations } },
    status: { observedGeneration: 1, ...status },
  } as LiveFluxObject;
}

const ready = (status: string, reason: string, message: string) => [{ type: "Ready", status, reason, message, lastTransitionTime: "2025-06-01T11:00:00Z" }];

function previous(overrides: Partial<ConfigurationStatus> = {}): ConfigurationStatus {
  return {
    configurationId: "cfg",
    clusterId: "c1",
    state: "Compliant",
    reason: "GitRepository/fleet: Succeeded",
    message: null,
    expectedVersion: 2,
    appliedVersion: 2,
    sourceRevision: OLD,
    appliedRevision: OLD,
    lastAppliedAt: new Date("2025-05-01T00:00:00Z"),
    reconcileRequestedAt: null,
    lastHandledReconcileAt: null,
    hasConfigDrift: false,
    configDrift: [],
    hasRevisionDrift: true,
    behindBy: 3,
    aheadBy: 0,
    revisionMessage: null,
    hasResourceDrift: false,
    resourceDriftCount: 0,
    stateChangedAt: new Date("2025-05-01T00:00:00Z"),
    observedAt: new Date("2025-06-01T11:59:30Z"),
    lastSeenAt: new Date("2025-06-01T11:59:30Z"),
    reconciler: "flux",
    argoSync: null,
    argoHealth: null,
    argoOperationPhase: null,
    argoHistory: null,
    ...overrides,
  };
}

describe("observeTarget", () => {
  it("reads revisions, the first apply time from Flux's history, and reconcile tokens", () => {
    const source = live("GitRepository", { conditions: ready("True", "Succeeded", "stored"), artifact: { revision: NEW } });
    const ks = live(
      "Kustomization",
      { conditions: ready("True", "ReconciliationSucceeded", "applied"), lastAppliedRevision: NEW, lastHandledReconcileAt: "t1", inventory: { entries: [{ id: "apps_web__Service", v: "v1" }] }, history: [{ firstReconciled: "2025-06-01T11:30:00Z", lastReconciledStatus: "ReconciliationSucceeded", metadata: { revision: NEW } }] },
      { "reconcile.fluxcd.io/requestedAt": "t1" },
    );
    const { row, objects } = observeTarget(target, [source, ks], new Set(), previous(), NOW);
    expect(row).toMatchObject({ state: "Compliant", sourceRevision: NEW, appliedRevision: NEW, appliedVersion: 2, reconcileRequestedAt: "t1", lastHandledReconcileAt: "t1", hasConfigDrift: false });
    expect(row).toMatchObject({ reconciler: "flux", argoSync: null, argoHealth: null, argoOperationPhase: null, argoHistory: null });
    expect(row.lastAppliedAt).toEqual(new Date("2025-06-01T11:30:00Z"));
    // A new applied revision drops the old behind-by count until the Git head is compared again.
    expect(row).toMatchObject({ behindBy: null, hasRevisionDrift: false });
    expect(row.stateChangedAt).toEqual(previous().stateChangedAt);
    expect(objects.find((o) => o.kind === "Kustomization")).toMatchObject({ state: "Compliant", ready: "True", version: 2, inventory: [{ id: "apps_web__Service", v: "v1" }] });
  });

  it("keeps behind-by for the same applied revision and turns a failing source into revision drift", () => {
    const source = live("GitRepository", { conditions: ready("False", "GitOperationFailed", "unable to clone 'https://bot:hunter2@example.com/x': 401"), artifact: { revision: OLD } });
    const ks = live("Kustomization", { conditions: ready("True", "ReconciliationSucceeded", "applied"), lastAppliedRevision: OLD });
    const { row } = observeTarget(target, [source, ks], new Set(), previous(), NOW);
    expect(row).toMatchObject({ state: "Non-Compliant", reason: "GitRepository/fleet: GitOperationFailed", behindBy: 3, hasRevisionDrift: true, lastAppliedAt: previous().lastAppliedAt });
    expect(row.revisionMessage).toMatch(/unable to clone/);
    expect(`${row.revisionMessage} ${row.message}`).not.toContain("hunter2");
    expect(row.stateChangedAt).toEqual(new Date(NOW));
  });

  it("a cluster of unknown reconciler is a Flux cluster once it serves a Flux kind, and unclassified otherwise", () => {
    const unknown = { ...target, reconciler: null };
    expect(observeTarget(unknown, [], new Set(["HelmRelease"]), undefined, NOW).row.reconciler).toBe("flux");
    expect(observeTarget(unknown, [], new Set(FLUX_KINDS), undefined, NOW).row).toMatchObject({ reconciler: null, state: "Unknown", reason: "GitRepository/fleet: KindNotServed" });
  });

  it("objects of another configuration are not this configuration's", () => {
    const foreign = { ...live("GitRepository", { conditions: ready("True", "Succeeded", "") }), metadata: { ...live("GitRepository", {}).metadata, labels: { "fleetline.io/configuration": "other" } } };
    expect(observeTarget(target, [foreign], new Set(), undefined, NOW).row).toMatchObject({ state: "Unknown", reason: "GitRepository/fleet: ObjectMissing", hasConfigDrift: true });
  });
});

const ociSpec = configurationSpecSchema.parse({
  name: "charts",
  scope: "cluster",
  source: { kind: "HelmRepository", url: "oci://ghcr.io/example/charts", type: "oci" },
  helmReleases: [{ name: "podinfo", chart: "podinfo", version: "6.5.5" }],
  targets: { clusterIds: ["c1"] },
});
const ociRendered = renderFluxObjects({ spec: ociSpec, version: 2, configurationId: "cfg-oci" });
const ociTarget: Target = { configurationId: "cfg-oci", name: "charts", clusterId: "c1", reconciler: "flux", expectedVersion: 2, push: { version: 2, action: "apply", state: "applied", reason: null }, spec: ociSpec, rendered: ociRendered };

/** The rendered object of `kind` with a fixture's status (and generation), as the cluster would list it. */
function withFixture(objects: typeof ociRendered, kind: string, fixtureId: string): LiveFluxObject {
  const object = objects.find((o) => o.kind === kind)!;
  const fixture = fluxFixture(fixtureId).object;
  return { ...structuredClone(object), metadata: { ...structuredClone(object.metadata), generation: fixture.metadata.generation, creationTimestamp: fixture.metadata.creationTimestamp }, ...(fixture.status ? { status: structuredClone(fixture.status) } : {}) } as LiveFluxObject;
}

describe("observeTarget with the controllers' status fixtures", () => {
  it("an OCI HelmRepository (no status: a static object) with a deployed release reads Compliant", () => {
    const repo = withFixture(ociRendered, "HelmRepository", "oci-helmrepository");
    const release = withFixture(ociRendered, "HelmRelease", "hr-reconciling-ready-true");
    const { row, objects } = observeTarget(ociTarget, [repo, release], new Set(), undefined, NOW);
    expect(row).toMatchObject({ state: "Compliant", appliedRevision: "6.5.4" });
    expect(objects.find((o) => o.kind === "HelmRepository")).toMatchObject({ state: "Compliant", reason: "StaticObject" });
  });

  it("a failed Helm upgrade shows the deployed chart version, not the attempted one", () => {
    const repo = withFixture(ociRendered, "HelmRepository", "oci-helmrepository");
    const release = withFixture(ociRendered, "HelmRelease", "hr-failed-upgrade");
    const { row, objects } = observeTarget(ociTarget, [repo, release], new Set(), undefined, NOW);
    expect(row).toMatchObject({ state: "Non-Compliant", reason: "HelmRelease/charts-podinfo: RetriesExceeded", appliedRevision: "6.5.4" });
    expect(objects.find((o) => o.kind === "HelmRelease")).toMatchObject({ revision: "6.5.4", state: "Non-Compliant" });
  });

  it("a routine reconcile (Ready=Unknown at the applied revision) keeps the previous state: no history row per interval", () => {
    const source = live("GitRepository", { conditions: ready("True", "Succeeded", "stored"), artifact: { revision: NEW } });
    const midway = live("Kustomization", {
      lastAppliedRevision: NEW,
      lastAttemptedRevision: NEW,
      conditions: [
        { type: "Reconciling", status: "True", reason: "Progressing", message: "Fetching manifests", observedGeneration: 1 },
        { type: "Ready", status: "Unknown", reason: "Progressing", message: "Reconciliation in progress", observedGeneration: 1 },
      ],
    });
    const before = previous({ appliedRevision: NEW, sourceRevision: NEW, reason: "GitRepository/fleet: Succeeded" });
    const { row, objects } = observeTarget(target, [source, midway], new Set(), before, NOW);
    expect(row).toMatchObject({ state: "Compliant", reason: before.reason, stateChangedAt: before.stateChangedAt });
    // The object row still says what the controller says.
    expect(objects.find((o) => o.kind === "Kustomization")).toMatchObject({ state: "Pending" });
    // The first sighting, a new commit or a new push are real changes.
    expect(observeTarget(target, [source, midway], new Set(), undefined, NOW).row.state).toBe("Pending");
    const newCommit = live("Kustomization", { ...midway.status!, lastAttemptedRevision: OLD, lastAppliedRevision: OLD });
    expect(observeTarget(target, [source, newCommit], new Set(), previous({ appliedRevision: OLD }), NOW).row.state).toBe("Pending");
    expect(observeTarget(target, [source, midway], new Set(), previous({ appliedRevision: NEW, expectedVersion: 1 }), NOW).row.state).toBe("Pending");
  });
});

describe("unreachableRow", () => {
  it("turns the row Unknown with the failure kind as reason, keeping what was last seen", () => {
    const row = unreachableRow(target, previous(), { kind: "timeout", message: "the cluster did not answer within 5s" }, NOW);
    expect(row).toMatchObject({ state: "Unknown", reason: "ClusterUnreachable: timeout", message: "the cluster did not answer within 5s", appliedRevision: OLD, lastSeenAt: previous().lastSeenAt, observedAt: new Date(NOW), stateChangedAt: new Date(NOW) });
  });

  it("a cluster never reached has no last-seen time", () => {
    expect(unreachableRow(target, undefined, { kind: "refused", message: "connection refused" }, NOW)).toMatchObject({ state: "Unknown", lastSeenAt: null, expectedVersion: 2, reconciler: "flux" });
  });
});
