import { describe, expect, it } from "vitest";
import { countByReadiness, summarize } from "./discovery";

const object = (generation: number, status?: Record<string, unknown>) => ({
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "x", namespace: "flux-system", generation },
  ...(status ? { status } : {}),
});
const ready = (value: string) => ({ type: "Ready", status: value });

describe("countByReadiness", () => {
  it("counts Ready=True on the current generation as ready, False or Stalled as not ready, the rest unknown", () => {
    const objects = [
      object(1, { observedGeneration: 1, conditions: [ready("True")] }),
      object(2, { observedGeneration: 1, conditions: [ready("True")] }), // stale status
      object(1, { observedGeneration: 1, conditions: [ready("False")] }),
      object(1, { observedGeneration: 1, conditions: [ready("Unknown"), { type: "Stalled", status: "True" }] }),
      object(1, { observedGeneration: 1, conditions: [ready("Unknown"), { type: "Reconciling", status: "True" }] }),
      object(1), // never reconciled
    ];
    expect(countByReadiness("Kustomization", objects.map((o) => summarize("Kustomization", o)))).toEqual({ kind: "Kustomization", ready: 1, notReady: 2, unknown: 3 });
  });
});

describe("summarize", () => {
  // One readiness rule (lib/reconcilers/flux/derive): the cluster page must not say Ready or
  // Not ready where the configuration page says Pending or Compliant for the same object.
  it("reads readiness by the configuration page's rule", () => {
    const waiting = object(1, { observedGeneration: 1, conditions: [{ type: "Ready", status: "False", reason: "DependencyNotReady", observedGeneration: 1 }] });
    expect(summarize("Kustomization", waiting).ready).toBe("Unknown");
    // Flux stamps the condition with the generation; status.observedGeneration lags on a failing generation only.
    const stamped = object(2, { observedGeneration: 1, conditions: [{ type: "Ready", status: "True", observedGeneration: 2 }] });
    expect(summarize("Kustomization", stamped).ready).toBe("True");
  });

  it("reads a suspended object's conditions, the suspension being reported on its own", () => {
    const suspended = { ...object(1, { observedGeneration: 1, conditions: [ready("True")] }), spec: { suspend: true } };
    expect(summarize("Kustomization", suspended)).toMatchObject({ ready: "True", isSuspended: true });
  });
});
