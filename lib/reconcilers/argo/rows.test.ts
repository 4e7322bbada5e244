import { describe, expect, it } from "vitest";
import type { ConfigurationStatus } from "@/db/schema-status";
import { renderArgoObjects } from "./render";
import { deriveArgoConfigurationState, expectedApplicationRefs, type ArgoApplication } from "./status";
import { gitHttpsInput } from "@/lib/reconcilers/flux/test-fixtures";
import { argoRevision, observeArgoTarget } from "./rows";
import type { Target } from "@/lib/status/expected";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const OLD = "0".repeat(40);
const SHA = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
const rendered = renderArgoObjects(gitHttpsInput);
const applications = rendered.filter((o) => o.kind === "Application");
const applied = { version: 3, action: "apply" as const, state: "applied" as const, reason: null };
const target: Target = { configurationId: "cfg", name: "baseline", clusterId: "c1", reconciler: "argocd", expectedVersion: 3, push: applied, spec: gitHttpsInput.spec, rendered };

type Status = NonNullable<ArgoApplication["status"]>;
const history = [
  { id: 0, revision: OLD, deployedAt: "2025-06-01T09:00:00Z" },
  { id: 1, revision: SHA, deployedAt: "2025-06-01T11:00:00Z" },
];
const healthy: Status = { sync: { status: "Synced", revision: SHA }, health: { status: "Healthy" }, operationState: { phase: "Succeeded" }, history };

/** The live copy of each rendered Application, with this status (and changes) on all of them. */
function live(status: Status, change: (app: ArgoApplication) => void = () => {}): ArgoApplication[] {
  return applications.map((object) => {
    const app = structuredClone({ ...object, status }) as unknown as ArgoApplication;
    change(app);
    return app;
  });
}

function observe(apps: ArgoApplication[], previous?: ConfigurationStatus) {
  const verdict = deriveArgoConfigurationState({ expected: expectedApplicationRefs(rendered), expectedVersion: 3, live: apps, push: applied, now: NOW });
  return observeArgoTarget({ target, verdict, listing: { applications: apps, isServed: true }, previous, now: NOW });
}

function previous(overrides: Partial<ConfigurationStatus> = {}): ConfigurationStatus {
  const at = new Date("2025-05-01T00:00:00Z");
  return {
    ...observe(live(healthy)).row,
    hasResourceDrift: false,
    resourceDriftCount: 0,
    reconcileRequestedAt: null,
    lastHandledReconcileAt: null,
    stateChangedAt: at,
    lastAppliedAt: at,
    ...overrides,
  } as ConfigurationStatus;
}

describe("argoRevision", () => {
  it("names a bare commit as Flux does, and leaves anything else alone", () => {
    expect(argoRevision({ type: "branch", value: "main" }, SHA)).toBe(`main@sha1:${SHA}`);
    expect(argoRevision({ type: "tag", value: "v1.2.0" }, SHA)).toBe(`v1.2.0@sha1:${SHA}`);
    expect(argoRevision({ type: "commit", value: SHA }, SHA)).toBe(`sha1:${SHA}`);
    expect(argoRevision({ type: "semver", value: ">=1.0.0" }, SHA)).toBe(`sha1:${SHA}`);
    expect(argoRevision({ type: "branch", value: "main" }, "1.2.3")).toBe("1.2.3");
    expect(argoRevision(undefined, null)).toBeNull();
  });
});

describe("observeArgoTarget", () => {
  it("maps Synced + Healthy onto a Compliant row with Argo CD's words, revisions and deploy time", () => {
    const { row, objects } = observe(live(healthy));
    expect(row).toMatchObject({
      reconciler: "argocd",
      state: "Compliant",
      appliedVersion: 3,
      argoSync: "Synced",
      argoHealth: "Healthy",
      argoOperationPhase: "Succeeded",
      argoHistory: history,
      sourceRevision: `main@sha1:${SHA}`,
      appliedRevision: `main@sha1:${SHA}`,
      lastAppliedAt: new Date("2025-06-01T11:00:00Z"),
      hasConfigDrift: false,
      hasResourceDrift: false,
      resourceDriftCount: 0,
      hasRevisionDrift: false,
    });
    expect(row).not.toHaveProperty("reconcileRequestedAt");
    expect(objects.map((o) => [o.kind, o.namespace, o.name, o.state, o.ready, o.version, o.isSuspended])).toEqual([
      ["Application", "argocd", "baseline-infra", "Compliant", "True", 3, false],
      ["Application", "argocd", "baseline-apps", "Compliant", "True", 3, false],
    ]);
  });

  it("counts the resources Argo CD reports OutOfSync as resource drift, and lists every resource in the object's inventory", () => {
    const resources = [
      { group: "apps", version: "v1", kind: "Deployment", namespace: "podinfo", name: "podinfo", status: "OutOfSync" },
      { version: "v1", kind: "Service", namespace: "podinfo", name: "podinfo", status: "Synced" },
    ];
    const { row, objects } = observe(live({ ...healthy, sync: { status: "OutOfSync", revision: SHA }, resources }));
    expect(row).toMatchObject({ state: "Non-Compliant", reason: "Application/baseline-infra: OutOfSync", argoSync: "OutOfSync", hasResourceDrift: true, resourceDriftCount: 2 });
    expect(objects[0]).toMatchObject({ ready: "False", inventory: [{ id: "podinfo_podinfo_apps_Deployment", v: "v1" }, { id: "podinfo_podinfo__Service", v: "v1" }] });
  });

  it("applies the history's latest revision, and Synced without history applies the compared one", () => {
    const newer = `${"2".repeat(40)}`;
    const behind = observe(live({ ...healthy, sync: { status: "OutOfSync", revision: newer } })).row;
    expect(behind).toMatchObject({ sourceRevision: `main@sha1:${newer}`, appliedRevision: `main@sha1:${SHA}` });
    const fresh = observe(live({ sync: { status: "Synced", revision: SHA }, health: { status: "Healthy" } }), previous({ appliedRevision: `main@sha1:${SHA}` })).row;
    expect(fresh).toMatchObject({ appliedRevision: `main@sha1:${SHA}`, lastAppliedAt: new Date("2025-05-01T00:00:00Z") });
  });

  it("keeps behind-by for the same applied revision only", () => {
    expect(observe(live(healthy), previous({ behindBy: 2 })).row).toMatchObject({ behindBy: 2, hasRevisionDrift: true });
    expect(observe(live(healthy), previous({ behindBy: 2, appliedRevision: `main@sha1:${OLD}` })).row).toMatchObject({ behindBy: null, hasRevisionDrift: false });
  });

  it("a refresh or sync is handled once Argo CD has dropped the annotation and the operation", () => {
    const asked = previous({ reconcileRequestedAt: "t2", lastHandledReconcileAt: "t1" });
    const refreshing = live(healthy, (app) => (app.metadata.annotations = { ...app.metadata.annotations, "argocd.argoproj.io/refresh": "normal" }));
    expect(observe(refreshing, asked).row.lastHandledReconcileAt).toBe("t1");
    const syncing = live(healthy, (app) => (app.operation = { sync: {} }));
    expect(observe(syncing, asked).row).toMatchObject({ lastHandledReconcileAt: "t1", state: "Pending" });
    expect(observe(live(healthy), asked).row.lastHandledReconcileAt).toBe("t2");
  });

  it("suspended by Fleetline is Suspended, not configuration drift; a policy changed by hand is drift", () => {
    // What suspendApplication leaves: no automated policy (a merge patch with null removes it), the policy saved in an annotation.
    const suspended = live(healthy, (app) => {
      const policy = (app.spec as { syncPolicy: { automated?: object } }).syncPolicy;
      app.metadata.annotations = { ...app.metadata.annotations, "fleetline.io/argo-automated": JSON.stringify(policy.automated) };
      delete policy.automated;
    });
    const { row, objects } = observe(suspended);
    expect(row).toMatchObject({ state: "Suspended", hasConfigDrift: false });
    expect(objects.every((o) => o.isSuspended)).toBe(true);
    const edited = live(healthy, (app) => ((app.spec as { syncPolicy: { automated: { selfHeal: boolean } } }).syncPolicy.automated.selfHeal = false));
    expect(observe(edited).row).toMatchObject({ hasConfigDrift: true, configDrift: [{ object: "Application argocd/baseline-infra", change: "changed", paths: ["spec.syncPolicy.automated.selfHeal"] }, expect.anything()] });
  });

  it("a source Argo CD cannot read is revision drift, with its message", () => {
    const failing: Status = { sync: { status: "Unknown" }, health: { status: "Healthy" }, conditions: [{ type: "ComparisonError", message: "rpc error: authentication required" }] };
    expect(observe(live(failing)).row).toMatchObject({ state: "Non-Compliant", hasRevisionDrift: true, revisionMessage: "rpc error: authentication required", appliedRevision: null });
  });
});
