import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { renderFluxObjects } from "./render";
import { alertsInput, fluxFieldsInput, keySignedOciInput, signedGitInput, signedOciInput, sopsInput, sparseGitInput, suspendedNamespacedInput } from "./test-fixtures";

// The harness CRDs declare Flux's schemas, so a field Fleetline misspells is pruned by the API
// server. Every field of issue 18 §2-§3 is applied and read back: each must land as rendered.
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ name: "flux-fields" });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function expectLanded(live: unknown, rendered: unknown, path: string): void {
  if (typeof rendered === "object" && rendered !== null && !Array.isArray(rendered)) {
    expect(typeof live, path).toBe("object");
    for (const [key, value] of Object.entries(rendered)) expectLanded((live as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  if (Array.isArray(rendered)) {
    expect(Array.isArray(live) && live.length === rendered.length, path).toBe(true);
    rendered.forEach((item, index) => expectLanded((live as unknown[])[index], item, `${path}[${index}]`));
    return;
  }
  expect(live, path).toEqual(rendered);
}

describe("the rendered Flux fields against the CRDs", () => {
  it.each([
    ["every §3 field", fluxFieldsInput],
    ["a sparse Git checkout", sparseGitInput],
    ["an OCI layer selector and keyless cosign verification", signedOciInput],
    ["Git signature verification (TagAndHEAD) and included repositories", signedGitInput],
    ["cosign verification with a public key", keySignedOciInput],
    ["SOPS decryption with age and PGP keys, and with the controller's identity", sopsInput],
    ["notification Providers and Alerts (v1beta3)", alertsInput],
    ["a namespace-scoped configuration's account, binding and serviceAccountName", { ...suspendedNamespacedInput, credential: undefined, spec: { ...suspendedNamespacedInput.spec, source: { ...suspendedNamespacedInput.spec.source, credentialId: undefined } } }],
  ] as const)("%s lands on the API server unpruned", async (_, input) => {
    const rest = cluster.rest();
    for (const object of renderFluxObjects(input)) {
      await rest.apply(object as never, "fleetline");
      const live = await rest.get(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
      // Metadata is checked elsewhere (labels, annotations); the fields are what a CRD could prune.
      expectLanded(live, { ...object, metadata: {} }, `${object.kind}/${object.metadata.name}`);
    }
  });
});
