import { describe, expect, it } from "vitest";
import { maskedCredential, renderFluxObjects, SECRET_MASK } from "@/lib/reconcilers/flux/render";
import { gitHttpsInput, CANARY } from "@/lib/reconcilers/flux/test-fixtures";
import { configurationDrift, diffObject, summarizeDrift, type LiveObject } from "./config-drift";

// What the push renders (with a masked credential, as the collector does) against "live" copies.
const rendered = renderFluxObjects({ ...gitHttpsInput, credential: maskedCredential("https", { withCaCert: true }) });
const byKind = (kind: string) => rendered.find((o) => o.kind === kind)!;

function liveCopy(kind: string, managers: LiveObject["metadata"]["managedFields"] = [{ manager: "fleetline", operation: "Apply", fieldsV1: { "f:spec": {} } }]): LiveObject {
  const object = structuredClone(byKind(kind)) as LiveObject;
  object.metadata.managedFields = managers;
  return object;
}

describe("diffObject", () => {
  it("a faithful copy is no drift, even with server defaults and a reconcile request added", () => {
    const live = liveCopy("Kustomization");
    (live.spec as Record<string, unknown>).force = false;
    live.metadata.annotations = { ...live.metadata.annotations, "reconcile.fluxcd.io/requestedAt": "2025-06-01T00:00:00Z" };
    expect(diffObject(byKind("Kustomization"), live)).toBeNull();
  });

  it("a hand-edited field is drift, with both values for a side-by-side view", () => {
    const live = liveCopy("Kustomization", [
      { manager: "fleetline", operation: "Apply", fieldsV1: { "f:spec": { "f:path": {} } } },
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:interval": {} } } },
    ]);
    (live.spec as Record<string, unknown>).interval = "99m";
    const drift = diffObject(byKind("Kustomization"), live);
    expect(drift).toMatchObject({ change: "changed", object: "Kustomization flux-system/baseline-infra", fields: [{ path: "spec.interval", live: "99m", desired: "10m" }] });
    expect(drift?.liveYaml).toContain("interval: 99m");
    expect(drift?.desiredYaml).toContain("interval: 10m");
  });

  it("a field someone added is drift; one nobody owns (an API default) is not", () => {
    const live = liveCopy("Kustomization", [{ manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:patches": {} } } }]);
    Object.assign(live.spec as Record<string, unknown>, { patches: [{ patch: "x" }], wait: true });
    expect(diffObject(byKind("Kustomization"), live)?.fields.map((f) => f.path)).toEqual(["spec.patches"]);
  });

  it("suspend: absent and false are equal; a value set by Fleetline's own suspend is not drift, anyone else's is", () => {
    const resumed = liveCopy("GitRepository");
    (resumed.spec as Record<string, unknown>).suspend = false;
    expect(diffObject(byKind("GitRepository"), resumed)).toBeNull();
    const ours = liveCopy("GitRepository", [{ manager: "fleetline", operation: "Update", fieldsV1: { "f:spec": { "f:suspend": {} } } }]);
    (ours.spec as Record<string, unknown>).suspend = true;
    expect(diffObject(byKind("GitRepository"), ours)).toBeNull();
    const theirs = liveCopy("GitRepository", [{ manager: "flux", operation: "Update", fieldsV1: { "f:spec": { "f:suspend": {} } } }]);
    (theirs.spec as Record<string, unknown>).suspend = true;
    expect(diffObject(byKind("GitRepository"), theirs)?.fields).toEqual([{ path: "spec.suspend", live: true, desired: undefined }]);
  });

  it("annotation keys with dots and slashes are quoted in paths", () => {
    const live = liveCopy("GitRepository", [{ manager: "kubectl", operation: "Update", fieldsV1: { "f:metadata": { "f:annotations": { "f:example.com/owner": {} } } } }]);
    live.metadata.annotations = { ...live.metadata.annotations, "example.com/owner": "team-a" };
    expect(diffObject(byKind("GitRepository"), live)?.fields.map((f) => f.path)).toEqual(['metadata.annotations["example.com/owner"]']);
  });

  it("Secrets: values are never compared or shown, keys are", () => {
    const live = liveCopy("Secret");
    live.data = { username: Buffer.from(CANARY.username).toString("base64"), password: Buffer.from(CANARY.password).toString("base64") };
    expect(diffObject(byKind("Secret"), live)?.fields.map((f) => f.path)).toEqual(['data["ca.crt"]']);
    const drift = JSON.stringify(configurationDrift(rendered, [live]));
    expect(drift).not.toContain(CANARY.password);
    expect(drift).not.toContain(Buffer.from(CANARY.password).toString("base64"));
    expect(drift).toContain(SECRET_MASK);
  });
});

describe("configurationDrift", () => {
  it("reports missing and extra objects, and objects being deleted are not extra", () => {
    const live = [liveCopy("GitRepository"), liveCopy("Kustomization")];
    const extra = { ...liveCopy("Kustomization"), metadata: { ...liveCopy("Kustomization").metadata, name: "baseline-old" } };
    const leaving = { ...liveCopy("Kustomization"), metadata: { ...liveCopy("Kustomization").metadata, name: "baseline-gone", deletionTimestamp: "2025-06-01T00:00:00Z" } };
    const drift = configurationDrift(rendered, [...live, extra, leaving], new Set(["GitRepository", "Kustomization"]));
    expect(summarizeDrift(drift)).toEqual([
      { object: "Kustomization flux-system/baseline-apps", change: "missing", paths: [] },
      { object: "Kustomization flux-system/baseline-old", change: "extra", paths: [] },
    ]);
  });

  it("compares a rendered object with the same live object once; a new live object is compared again", () => {
    const edited = liveCopy("Kustomization");
    (edited.spec as Record<string, unknown>).interval = "99m";
    const first = configurationDrift(rendered, [liveCopy("GitRepository"), edited], new Set(["GitRepository", "Kustomization"]));
    const again = configurationDrift(rendered, [liveCopy("GitRepository"), edited], new Set(["GitRepository", "Kustomization"]));
    const changed = (drift: typeof first) => drift.find((d) => d.change === "changed");
    expect(changed(first)?.fields.map((f) => f.path)).toEqual(["spec.interval"]);
    // The same answer object: worked out once for this pair.
    expect(changed(again)).toBe(changed(first));
    // An event replaces the live object: it is compared afresh.
    const fixed = liveCopy("Kustomization");
    expect(changed(configurationDrift(rendered, [liveCopy("GitRepository"), fixed], new Set(["GitRepository", "Kustomization"])))).toBeUndefined();
  });
});
