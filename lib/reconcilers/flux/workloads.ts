import { decryptionSecretName } from "./keys";
import type { HelmReleaseSpec, KustomizationSpec } from "@/lib/validation/configuration";
import { normalizeRepoPath } from "@/lib/validation/repo-path";
import { parseYamlMapping } from "@/lib/validation/safe-yaml";
import { helmReleaseObjectName, kustomizationObjectName, objectMeta, sourceObjectName } from "@/lib/reconcilers/labels";
import type { JsonValue } from "@/lib/validation/json";
import { withoutUndefined } from "./sources";
import { workloadServiceAccount } from "./tenancy";
import type { KubeObject, RenderInput } from "./types";

export const KUSTOMIZATION_API_VERSION = "kustomize.toolkit.fluxcd.io/v1";
export const HELM_RELEASE_API_VERSION = "helm.toolkit.fluxcd.io/v2";

/** A namespace-scoped configuration deploys into its own namespace unless told otherwise. */
function targetNamespace(input: RenderInput, explicit: string | undefined): string | undefined {
  return explicit ?? (input.spec.scope === "namespace" ? input.spec.namespace : undefined);
}

function sourceRef(input: RenderInput) {
  return { kind: input.spec.source.kind, name: sourceObjectName(input.spec.name) };
}

/** A list field as Flux reads it: left out when empty, unset optional members dropped. */
function list(items: ReadonlyArray<object | string> | undefined): JsonValue | undefined {
  return items !== undefined && items.length > 0 ? (JSON.parse(JSON.stringify(items)) as JsonValue) : undefined;
}

/** An object field left out when none of its members is set. */
function nonEmpty(value: object | undefined): JsonValue | undefined {
  if (value === undefined) return undefined;
  const plain = JSON.parse(JSON.stringify(value)) as Record<string, JsonValue>;
  return Object.values(plain).some((member) => typeof member !== "object" || member === null || Object.keys(member).length > 0) ? plain : undefined;
}

function postBuild(kustomization: KustomizationSpec): JsonValue | undefined {
  const { substitute, substituteFrom } = kustomization.postBuild;
  const fields = withoutUndefined({
    substitute: Object.keys(substitute).length > 0 ? { ...substitute } : undefined,
    substituteFrom: list(substituteFrom),
  });
  return Object.keys(fields).length > 0 ? fields : undefined;
}

function decryption(spec: RenderInput["spec"], kustomization: KustomizationSpec): JsonValue | undefined {
  if (!kustomization.decryption) return undefined;
  const secretName = decryptionSecretName(spec, kustomization.decryption.credentialId);
  return withoutUndefined({ provider: kustomization.decryption.provider, secretRef: secretName ? { name: secretName } : undefined });
}

export function renderKustomization(input: RenderInput, kustomization: KustomizationSpec): KubeObject {
  const { spec } = input;
  return {
    apiVersion: KUSTOMIZATION_API_VERSION,
    kind: "Kustomization",
    metadata: objectMeta(input, kustomizationObjectName(spec.name, kustomization.name)),
    spec: withoutUndefined({
      interval: kustomization.interval,
      retryInterval: kustomization.retryInterval,
      timeout: kustomization.timeout,
      path: kustomization.path,
      prune: kustomization.prune,
      force: kustomization.force,
      wait: kustomization.wait,
      sourceRef: sourceRef(input),
      targetNamespace: targetNamespace(input, kustomization.targetNamespace),
      dependsOn:
        kustomization.dependsOn.length > 0
          ? kustomization.dependsOn.map((dependency) => ({ name: kustomizationObjectName(spec.name, dependency) }))
          : undefined,
      postBuild: postBuild(kustomization),
      patches: list(kustomization.patches),
      images: list(kustomization.images),
      healthChecks: list(kustomization.healthChecks),
      components: list(kustomization.components),
      deletionPolicy: kustomization.deletionPolicy,
      serviceAccountName: workloadServiceAccount(input, kustomization.serviceAccountName),
      decryption: decryption(spec, kustomization),
      suspend: spec.suspend ? true : undefined,
    }),
  };
}

/** For a GitRepository the chart is a path in the repository; for a HelmRepository, a chart name. */
function chartReference(input: RenderInput, chart: string): string {
  if (input.spec.source.kind !== "GitRepository") return chart;
  const result = normalizeRepoPath(chart);
  if (!result.ok) throw new Error(`Cannot render a chart path that failed validation: ${result.error}`);
  return result.path;
}

export function renderHelmRelease(input: RenderInput, release: HelmReleaseSpec): KubeObject {
  const { spec } = input;
  let values: KubeObject["spec"];
  if (release.values !== undefined) {
    const parsed = parseYamlMapping(release.values);
    // The spec was validated before it was stored; failing here means it was not.
    if (!parsed.ok) throw new Error(`Cannot render Helm values that failed validation: ${parsed.error}`);
    values = parsed.value;
  }
  return {
    apiVersion: HELM_RELEASE_API_VERSION,
    kind: "HelmRelease",
    metadata: objectMeta(input, helmReleaseObjectName(spec.name, release.name)),
    spec: withoutUndefined({
      interval: release.interval,
      chart: {
        spec: {
          chart: chartReference(input, release.chart),
          version: release.version,
          sourceRef: sourceRef(input),
          interval: release.interval,
        },
      },
      releaseName: release.releaseName,
      targetNamespace: targetNamespace(input, release.targetNamespace),
      dependsOn: list(release.dependsOn?.map((dependency) => ({ name: helmReleaseObjectName(spec.name, dependency) }))),
      timeout: release.timeout,
      maxHistory: release.maxHistory,
      install: nonEmpty(release.install?.remediation ? { remediation: nonEmpty(release.install.remediation) } : undefined),
      upgrade: nonEmpty(release.upgrade?.remediation ? { remediation: nonEmpty(release.upgrade.remediation) } : undefined),
      driftDetection: release.driftDetection ? { mode: release.driftDetection.mode } : undefined,
      valuesFrom: list(release.valuesFrom),
      values,
      serviceAccountName: workloadServiceAccount(input),
      suspend: spec.suspend ? true : undefined,
    }),
  };
}
