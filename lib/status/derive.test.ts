import { describe, expect, it } from "vitest";
import { deriveConfigurationState, deriveObjectState, NO_STATUS_GRACE_MS, worstState, type Condition, type FluxStatusObject, type PushOutcome } from "./derive";

const NOW = Date.parse("2025-06-01T12:00:00Z");

function object(kind: string, name: string, opts: { generation?: number; observed?: number; conditions?: Condition[]; suspend?: boolean; version?: number; created?: string; noStatus?: boolean } = {}): FluxStatusObject {
  return {
    kind,
    metadata: {
      name,
      namespace: "flux-system",
      generation: opts.generation ?? 1,
      creationTimestamp: opts.created ?? "2025-06-01T00:00:00Z",
      annotations: { "fleetline.io/version": String(opts.version ?? 2) },
    },
    ...(opts.suspend !== undefined ? { spec: { suspend: opts.suspend } } : {}),
    ...(opts.noStatus ? {} : { status: { observedGeneration: opts.observed ?? opts.generation ?? 1, conditions: opts.conditions ?? [] } }),
  };
}

const ready = (status: string, reason = "Succeeded", message = "ok"): Condition => ({ type: "Ready", status, reason, message });
const reconciling: Condition = { type: "Reconciling", status: "True", reason: "Progressing", message: "working" };
const stalled: Condition = { type: "Stalled", status: "True", reason: "BuildFailed", message: "cannot build" };

describe("deriveObjectState", () => {
  it("Ready=True at the current generation is Compliant", () => {
    expect(deriveObjectState(object("Kustomization", "a", { conditions: [ready("True")] }), NOW)).toEqual({ state: "Compliant", reason: "Succeeded", message: "ok" });
  });

  it("Ready=False is Non-Compliant with the condition's reason and message", () => {
    expect(deriveObjectState(object("Kustomization", "a", { conditions: [ready("False", "BuildFailed", "path not found")] }), NOW)).toEqual({
      state: "Non-Compliant",
      reason: "BuildFailed",
      message: "path not found",
    });
  });

  it("Stalled=True is Non-Compliant even while Ready says Unknown", () => {
    expect(deriveObjectState(object("Kustomization", "a", { conditions: [ready("Unknown"), stalled] }), NOW)).toMatchObject({ state: "Non-Compliant", reason: "BuildFailed" });
  });

  it("Ready Unknown is Pending", () => {
    expect(deriveObjectState(object("GitRepository", "a", { conditions: [ready("Unknown", "Progressing")] }), NOW).state).toBe("Pending");
  });

  it("Reconciling=True is Pending, even with Ready=True from the previous run", () => {
    expect(deriveObjectState(object("Kustomization", "a", { conditions: [ready("True"), reconciling] }), NOW)).toMatchObject({ state: "Pending", reason: "Progressing" });
  });

  it("a failure being retried (Ready=False with Reconciling=True) stays Non-Compliant", () => {
    expect(deriveObjectState(object("Kustomization", "a", { conditions: [ready("False", "ArtifactFailed"), { ...reconciling, reason: "ProgressingWithRetry" }] }), NOW).state).toBe("Non-Compliant");
  });

  it("observedGeneration behind metadata.generation is Pending whatever Ready says", () => {
    expect(deriveObjectState(object("Kustomization", "a", { generation: 3, observed: 2, conditions: [ready("True")] }), NOW)).toMatchObject({ state: "Pending" });
    expect(deriveObjectState(object("Kustomization", "a", { generation: 3, observed: 2, conditions: [ready("False")] }), NOW).state).toBe("Pending");
  });

  it("suspended is Suspended whatever the status", () => {
    expect(deriveObjectState(object("Kustomization", "a", { suspend: true, conditions: [ready("False")] }), NOW).state).toBe("Suspended");
    expect(deriveObjectState(object("Kustomization", "a", { suspend: false, conditions: [ready("True")] }), NOW).state).toBe("Compliant");
  });

  it("no status: Pending for a fresh object, Unknown once the grace period is over", () => {
    const fresh = object("Kustomization", "a", { noStatus: true, created: new Date(NOW - 1000).toISOString() });
    const old = object("Kustomization", "a", { noStatus: true, created: new Date(NOW - NO_STATUS_GRACE_MS - 1000).toISOString() });
    expect(deriveObjectState(fresh, NOW).state).toBe("Pending");
    expect(deriveObjectState(old, NOW)).toMatchObject({ state: "Unknown", reason: "NoStatus" });
  });

  it("a status without a Ready condition is Unknown", () => {
    expect(deriveObjectState(object("Kustomization", "a", { conditions: [{ type: "Healthy", status: "True" }] }), NOW).state).toBe("Unknown");
  });
});

describe("worstState", () => {
  it("orders Non-Compliant > Pending > Unknown > Suspended > Compliant", () => {
    expect(worstState(["Compliant", "Suspended"])).toBe("Suspended");
    expect(worstState(["Compliant", "Suspended", "Unknown"])).toBe("Unknown");
    expect(worstState(["Unknown", "Pending", "Suspended"])).toBe("Pending");
    expect(worstState(["Pending", "Non-Compliant", "Compliant"])).toBe("Non-Compliant");
    expect(worstState(["Compliant", "Compliant"])).toBe("Compliant");
    expect(worstState([])).toBe("Unknown");
  });
});

describe("deriveConfigurationState", () => {
  const expected = [
    { kind: "GitRepository", namespace: "flux-system", name: "fleet" },
    { kind: "Kustomization", namespace: "flux-system", name: "fleet-infra" },
    { kind: "Kustomization", namespace: "flux-system", name: "fleet-apps" },
  ];
  const healthy = () => [
    object("GitRepository", "fleet", { conditions: [ready("True", "Succeeded", "stored artifact")] }),
    object("Kustomization", "fleet-infra", { conditions: [ready("True", "ReconciliationSucceeded", "Applied revision: main@sha1:abc")] }),
    object("Kustomization", "fleet-apps", { conditions: [ready("True", "ReconciliationSucceeded", "Applied revision: main@sha1:abc")] }),
  ];
  const applied: PushOutcome = { version: 2, action: "apply", state: "applied", reason: null };

  it("every object Ready at the pushed version: Compliant, applied version reported", () => {
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: healthy(), push: applied, now: NOW })).toMatchObject({ state: "Compliant", appliedVersion: 2 });
  });

  it("is the worst object's state, and the reason names that object", () => {
    const live = healthy();
    live[2] = object("Kustomization", "fleet-apps", { conditions: [ready("False", "BuildFailed", "kustomization path not found")] });
    live[1] = object("Kustomization", "fleet-infra", { conditions: [ready("Unknown", "Progressing")] });
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live, push: applied, now: NOW })).toMatchObject({
      state: "Non-Compliant",
      reason: "Kustomization/fleet-apps: BuildFailed",
      message: "kustomization path not found",
    });
  });

  it("names the first failing object in apply order: the source before the Kustomizations it breaks", () => {
    const live = healthy().map((o) => ({ ...o, status: { ...o.status, conditions: [ready("False", o.kind === "GitRepository" ? "GitOperationFailed" : "ArtifactFailed", "x")] } }));
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live, push: applied, now: NOW }).reason).toBe("GitRepository/fleet: GitOperationFailed");
  });

  it("stays Pending until every object shows the pushed version, even when Ready=True", () => {
    const live = healthy();
    live[1] = object("Kustomization", "fleet-infra", { version: 1, conditions: [ready("True")] });
    const verdict = deriveConfigurationState({ expected, expectedVersion: 2, live, push: applied, now: NOW });
    expect(verdict).toMatchObject({ state: "Pending", reason: "Kustomization/fleet-infra: VersionPending", appliedVersion: 1 });
    expect(verdict.message).toMatch(/version 1.*version 2/);
  });

  it("an object absent while the push is running is Pending", () => {
    const push: PushOutcome = { version: 2, action: "apply", state: "applying", reason: null };
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: healthy().slice(0, 2), push, now: NOW })).toMatchObject({ state: "Pending", reason: "Kustomization/fleet-apps: PushInProgress" });
  });

  it("an object absent after the push finished is Unknown (object missing)", () => {
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: healthy().slice(0, 2), push: applied, now: NOW })).toMatchObject({ state: "Unknown", reason: "Kustomization/fleet-apps: ObjectMissing", appliedVersion: null });
  });

  it("a failed push is Non-Compliant with the push's reason, for missing and old-version objects alike", () => {
    const push: PushOutcome = { version: 2, action: "apply", state: "failed", reason: "GitRepository flux-system/fleet: conflict" };
    const live = [object("GitRepository", "fleet", { version: 1, conditions: [ready("True")] })];
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live, push, now: NOW })).toMatchObject({ state: "Non-Compliant", reason: "GitRepository/fleet: PushFailed", message: push.reason });
  });

  it("a failed push of this version is never Compliant, even when the objects are there (pushed through another registration of the same API server)", () => {
    const push: PushOutcome = { version: 2, action: "apply", state: "failed", reason: "403 Forbidden: user viewer cannot patch gitrepositories" };
    const verdict = deriveConfigurationState({ expected, expectedVersion: 2, live: healthy(), push, now: NOW });
    expect(verdict).toMatchObject({ state: "Non-Compliant", reason: "GitRepository/fleet: PushFailed", message: push.reason });
    // A failure of an older version does not taint the version that was pushed since.
    const older: PushOutcome = { ...push, version: 1 };
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: healthy(), push: older, now: NOW }).state).toBe("Compliant");
  });

  it("missing objects of a kind the cluster does not serve say so", () => {
    const verdict = deriveConfigurationState({ expected, expectedVersion: 2, live: [], push: applied, unservedKinds: new Set(["GitRepository", "Kustomization"]), now: NOW });
    expect(verdict).toMatchObject({ state: "Unknown", reason: "GitRepository/fleet: KindNotServed" });
  });

  it("all suspended is Suspended; one suspended among compliant ones is Suspended too", () => {
    const all = healthy().map((o) => ({ ...o, spec: { suspend: true } }));
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: all, push: applied, now: NOW }).state).toBe("Suspended");
    const one = healthy();
    one[0] = { ...one[0]!, spec: { suspend: true } };
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: one, push: applied, now: NOW }).state).toBe("Suspended");
  });

  it("a removal in progress is Pending; a failed one Non-Compliant", () => {
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: healthy(), push: { version: 2, action: "remove", state: "pending", reason: null }, now: NOW }).state).toBe("Pending");
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live: healthy(), push: { version: 2, action: "remove", state: "failed", reason: "timeout" }, now: NOW })).toMatchObject({ state: "Non-Compliant", reason: "RemovalFailed" });
  });

  it("objects of other configurations or namespaces do not count", () => {
    const live = [...healthy().slice(0, 2), { ...object("Kustomization", "fleet-apps", { conditions: [ready("True")] }), metadata: { ...object("Kustomization", "fleet-apps").metadata, namespace: "other" } }];
    expect(deriveConfigurationState({ expected, expectedVersion: 2, live, push: applied, now: NOW }).state).toBe("Unknown");
  });
});
