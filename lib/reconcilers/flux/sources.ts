import type { JsonObject, JsonValue } from "@/lib/validation/json";
import type { SourceSpec } from "@/lib/validation/configuration";
import type { SourceAuthRefs } from "./credentials";
import { objectMeta, sourceObjectName, verifySecretName } from "@/lib/reconcilers/labels";
import type { KubeObject, RenderInput } from "./types";

export const SOURCE_API_VERSION = "source.toolkit.fluxcd.io/v1";

/** Drops unset optional fields: rendered objects carry no null or undefined values. */
export function withoutUndefined(fields: Record<string, JsonValue | undefined>): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function refsAsJson(refs: SourceAuthRefs): Record<string, JsonValue | undefined> {
  return {
    secretRef: refs.secretRef ? { name: refs.secretRef.name } : undefined,
    certSecretRef: refs.certSecretRef ? { name: refs.certSecretRef.name } : undefined,
  };
}

function sourceSpec(name: string, source: SourceSpec, refs: SourceAuthRefs, suspend: boolean): JsonObject {
  // Flux reads only `suspend: true`; leaving it out when false keeps the live object minimal.
  const common = { interval: source.interval, ...refsAsJson(refs), suspend: suspend ? true : undefined };
  switch (source.kind) {
    case "GitRepository":
      return withoutUndefined({
        ...common,
        url: source.url,
        timeout: source.timeout,
        ref: { [source.ref.type]: source.ref.value },
        provider: source.provider,
        ignore: source.ignore,
        recurseSubmodules: source.recurseSubmodules,
        sparseCheckout: source.sparseCheckout?.length ? source.sparseCheckout : undefined,
        verify: source.verify ? { mode: source.verify.mode, secretRef: { name: verifySecretName(name) } } : undefined,
        include: source.include?.length
          ? source.include.map((entry) => withoutUndefined({ repository: { name: entry.repository.name }, fromPath: entry.fromPath, toPath: entry.toPath }))
          : undefined,
      });
    case "OCIRepository":
      return withoutUndefined({
        ...common,
        url: source.url,
        timeout: source.timeout,
        ref: { [source.ref.type]: source.ref.value },
        provider: source.provider,
        layerSelector: source.layerSelector ? withoutUndefined({ mediaType: source.layerSelector.mediaType, operation: source.layerSelector.operation }) : undefined,
        verify: source.verify
          ? withoutUndefined({
              provider: source.verify.provider,
              secretRef: source.verify.credentialId ? { name: verifySecretName(name) } : undefined,
              matchOIDCIdentity: source.verify.matchOIDCIdentity.length > 0 ? source.verify.matchOIDCIdentity.map((m) => ({ issuer: m.issuer, subject: m.subject })) : undefined,
            })
          : undefined,
      });
    case "Bucket":
      return withoutUndefined({
        ...common,
        bucketName: source.bucketName,
        endpoint: source.endpoint,
        provider: source.provider,
        region: source.region,
        prefix: source.prefix,
        insecure: source.insecure,
        timeout: source.timeout,
      });
    case "HelmRepository":
      return withoutUndefined({
        ...common,
        url: source.url,
        type: source.type,
        // Flux ignores timeout on OCI Helm repositories (they hold no index to download).
        timeout: source.type === "oci" ? undefined : source.timeout,
      });
  }
}

export function renderSource(input: RenderInput, refs: SourceAuthRefs): KubeObject {
  const { spec } = input;
  return {
    apiVersion: SOURCE_API_VERSION,
    kind: spec.source.kind,
    metadata: objectMeta(input, sourceObjectName(spec.name)),
    spec: sourceSpec(spec.name, spec.source, refs, spec.suspend),
  };
}
