import { describe, expect, it } from "vitest";
import { gitHttpsInput } from "@/lib/reconcilers/flux/test-fixtures";
import { ARGO_FIXTURES, FIXTURE_NOW, FIXTURE_OLD_SHA } from "@/test-support/status-fixtures";
import { renderArgoObjects } from "./render";
import { applicationSnapshot, deriveApplicationState, deriveArgoConfigurationState, expectedApplicationRefs, type ArgoApplication } from "./status";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const SHA = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
const rendered = renderArgoObjects(gitHttpsInput).filter((o) => o.kind === "Application");
const expected = expectedApplicationRefs(renderArgoObjects(gitHttpsInput));

type Status = NonNullable<ArgoApplication["status"]>;

/** A live copy of a rendered Application (version 3) with this status. */
function app(status: Status | undefined, extra: Partial<ArgoApplication> = {}, index = 0): ArgoApplication {
  const object = structuredClone(rendered[index]!);
  return {
    kind: object.kind,
    metadata: { ...object.metadata, name: object.metadata.name, creationTimestamp: "2025-06-01T10:00:00Z" },
    spec: object.spec as ArgoApplication["spec"],
    ...(status ? { status } : {}),
    ...extra,
  };
}

const synced = (health: string, message?: string): Status => ({ sync: { status: "Synced", revision: SHA }, health: { status: health, ...(message ? { message } : {}) } });

describe("the Argo CD status fixtures (what the application controller writes)", () => {
  for (const fixture of ARGO_FIXTURES) {
    it(`${fixture.id}: ${fixture.title} -> ${fixture.expected.state} (${fixture.expected.reason})`, () => {
      expect(deriveApplicationState(fixture.app, FIXTURE_NOW)).toMatchObject(fixture.expected);
    });
  }

  it("a ComparisonError clears sync.revision: the snapshot has no fetched revision but keeps the deployed history", () => {
    const fixture = ARGO_FIXTURES.find((f) => f.id === "argo-comparison-error")!;
    expect(applicationSnapshot(fixture.app)).toMatchObject({ sync: "Unknown", revision: null, history: [{ revision: FIXTURE_OLD_SHA }] });
  });

  it("Argo CD cannot compare: ComparisonError wins over a SyncError left from an earlier attempt", () => {
    const both = app({ sync: { status: "Unknown" }, health: { status: "Healthy" }, conditions: [{ type: "SyncError", message: "Failed last sync attempt" }, { type: "ComparisonError", message: "Failed to load target state" }] });
    expect(deriveApplicationState(both, NOW)).toMatchObject({ state: "Non-Compliant", reason: "ComparisonError", message: "Failed to load target state" });
  });

  it("a sync that failed before Argo CD records SyncError reads as a failed sync, not a plain OutOfSync", () => {
    const failed = app({ sync: { status: "OutOfSync", revision: SHA }, health: { status: "Missing" }, operationState: { phase: "Failed", message: "one or more objects failed to apply" } });
    expect(deriveApplicationState(failed, NOW)).toMatchObject({ state: "Non-Compliant", reason: "SyncFailed", message: "one or more objects failed to apply" });
  });
});

describe("deriveApplicationState: one test per compliance state", () => {
  it("Synced + Healthy -> Compliant", () => {
    expect(deriveApplicationState(app(synced("Healthy")), NOW)).toEqual({ state: "Compliant", reason: "Synced", message: null });
  });

  it("OutOfSync -> Non-Compliant", () => {
    expect(deriveApplicationState(app({ sync: { status: "OutOfSync", revision: SHA }, health: { status: "Healthy" } }), NOW)).toMatchObject({ state: "Non-Compliant", reason: "OutOfSync" });
  });

  it("Degraded -> Non-Compliant, with Argo CD's message", () => {
    expect(deriveApplicationState(app(synced("Degraded", "Back-off pulling image")), NOW)).toEqual({ state: "Non-Compliant", reason: "Degraded", message: "Back-off pulling image" });
  });

  it("Missing -> Non-Compliant", () => {
    expect(deriveApplicationState(app({ sync: { status: "OutOfSync" }, health: { status: "Missing" } }), NOW)).toMatchObject({ state: "Non-Compliant", reason: "Missing" });
  });

  it("a comparison error -> Non-Compliant, with the condition's message", () => {
    const status: Status = { sync: { status: "Unknown" }, health: { status: "Healthy" }, conditions: [{ type: "ComparisonError", message: "repository not found" }] };
    expect(deriveApplicationState(app(status), NOW)).toEqual({ state: "Non-Compliant", reason: "ComparisonError", message: "repository not found" });
  });

  it("Progressing -> Pending", () => {
    expect(deriveApplicationState(app(synced("Progressing", "Waiting for rollout")), NOW)).toEqual({ state: "Pending", reason: "Progressing", message: "Waiting for rollout" });
  });

  it("an operation running -> Pending, even while OutOfSync", () => {
    const requested = app({ sync: { status: "OutOfSync" }, health: { status: "Missing" } }, { operation: { sync: { prune: true } } });
    expect(deriveApplicationState(requested, NOW)).toMatchObject({ state: "Pending", reason: "OperationRunning" });
    const running = app({ ...synced("Healthy"), operationState: { phase: "Running", message: "waiting for healthy state of apps/Deployment/podinfo" } });
    expect(deriveApplicationState(running, NOW)).toEqual({ state: "Pending", reason: "OperationRunning", message: "waiting for healthy state of apps/Deployment/podinfo" });
  });

  it("Suspended health -> Suspended", () => {
    expect(deriveApplicationState(app(synced("Suspended", "CronJob is suspended")), NOW)).toEqual({ state: "Suspended", reason: "Suspended", message: "CronJob is suspended" });
  });

  it("automated sync removed (suspended by Fleetline) -> Suspended", () => {
    const suspended = app({ sync: { status: "OutOfSync" }, health: { status: "Healthy" } }, { spec: { syncPolicy: {} } });
    expect(deriveApplicationState(suspended, NOW)).toMatchObject({ state: "Suspended", reason: "AutoSyncDisabled" });
  });

  it("no status -> Unknown (Pending while the Application is fresh)", () => {
    expect(deriveApplicationState(app(undefined), NOW)).toMatchObject({ state: "Unknown", reason: "NoStatus" });
    const fresh = app(undefined);
    fresh.metadata.creationTimestamp = new Date(NOW - 10_000).toISOString();
    expect(deriveApplicationState(fresh, NOW)).toMatchObject({ state: "Pending", reason: "Progressing" });
  });

  it("a status Argo CD does not classify -> Unknown, naming both words", () => {
    expect(deriveApplicationState(app({ sync: { status: "Unknown" }, health: { status: "Unknown" } }), NOW)).toMatchObject({ state: "Unknown", reason: "Unknown/Unknown" });
  });
});

describe("applicationSnapshot", () => {
  it("keeps the raw sync, health and revision, the history and the OutOfSync resources", () => {
    const status: Status = {
      sync: { status: "OutOfSync", revision: SHA },
      health: { status: "Healthy" },
      operationState: { phase: "Succeeded" },
      history: [
        { id: 0, revision: "0".repeat(40), deployedAt: "2025-06-01T09:00:00Z" },
        { id: 1, revision: SHA, deployedAt: "2025-06-01T11:00:00Z" },
      ],
      resources: [
        { version: "v1", kind: "ConfigMap", namespace: "podinfo", name: "podinfo-config", status: "OutOfSync" },
        { version: "v1", kind: "Service", namespace: "podinfo", name: "podinfo", status: "Synced", health: { status: "Healthy" } },
        { group: "apps", version: "v1", kind: "Deployment", namespace: "podinfo", name: "podinfo", status: "OutOfSync" },
      ],
    };
    expect(applicationSnapshot(app(status))).toEqual({
      sync: "OutOfSync",
      health: "Healthy",
      revision: SHA,
      operationPhase: "Succeeded",
      history: status.history,
      resourceDrift: [
        { application: "baseline-infra", kind: "ConfigMap", namespace: "podinfo", name: "podinfo-config" },
        { application: "baseline-infra", group: "apps", kind: "Deployment", namespace: "podinfo", name: "podinfo" },
      ],
    });
  });
});

describe("deriveArgoConfigurationState", () => {
  it("expects the rendered Applications, not the repository Secret", () => {
    expect(expected).toEqual([
      { kind: "Application", namespace: "argocd", name: "baseline-infra" },
      { kind: "Application", namespace: "argocd", name: "baseline-apps" },
    ]);
  });

  const applied = { version: 3, action: "apply" as const, state: "applied" as const, reason: null };

  it("is Compliant when every Application is, with version, revision and history summed up", () => {
    const history = [{ id: 0, revision: SHA, deployedAt: "2025-06-01T11:00:00Z" }];
    const verdict = deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [app({ ...synced("Healthy"), history }, {}, 0), app(synced("Healthy"), {}, 1)], push: applied, now: NOW });
    expect(verdict).toMatchObject({ state: "Compliant", appliedVersion: 3, argo: { sync: "Synced", health: "Healthy", revision: SHA, history } });
    expect(verdict.objects.map((o) => [o.name, o.state])).toEqual([
      ["baseline-infra", "Compliant"],
      ["baseline-apps", "Compliant"],
    ]);
  });

  it("is the worst Application's state, named in the reason; health sums up to the worst", () => {
    const verdict = deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [app(synced("Healthy"), {}, 0), app(synced("Degraded", "crash loop"), {}, 1)], push: applied, now: NOW });
    expect(verdict).toMatchObject({ state: "Non-Compliant", reason: "Application/baseline-apps: Degraded", message: "crash loop", argo: { health: "Degraded" } });
  });

  it("is Pending while an Application shows an older version, and Unknown when one is missing", () => {
    const older = app(synced("Healthy"), {}, 0);
    older.metadata.annotations = { ...older.metadata.annotations, "fleetline.io/version": "2" };
    expect(deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [older, app(synced("Healthy"), {}, 1)], push: applied, now: NOW })).toMatchObject({ state: "Pending", appliedVersion: 2 });
    expect(deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [app(synced("Healthy"))], push: applied, now: NOW })).toMatchObject({ state: "Unknown", reason: "Application/baseline-apps: ObjectMissing", appliedVersion: null });
  });

  it("says when the cluster has no Argo CD, a push failed or a removal is under way", () => {
    expect(deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [], isServed: false, now: NOW })).toMatchObject({ state: "Unknown", message: expect.stringMatching(/is Argo CD installed/) });
    const failed = { ...applied, state: "failed" as const, reason: "Application argocd/baseline-infra: forbidden" };
    expect(deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [], push: failed, now: NOW })).toMatchObject({ state: "Non-Compliant", reason: "Application/baseline-infra: PushFailed" });
    const removing = { ...applied, action: "remove" as const, state: "applying" as const };
    expect(deriveArgoConfigurationState({ expected, expectedVersion: 3, live: [], push: removing, now: NOW })).toMatchObject({ state: "Pending", reason: "Removing", objects: [] });
  });
});
