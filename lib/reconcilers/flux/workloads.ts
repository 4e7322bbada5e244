import type { HelmReleaseSpec, KustomizationSpec } from "@/lib/validation/configuration";
import { normalizeRepoPath } from "@/lib/validation/repo-path";
import { parseYamlMapping } from "@/lib/validation/safe-yaml";
import { helmReleaseObjectName, kustomizationObjectName, objectMeta, sourceObjectName } from "@/lib/reconcilers/labels";
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

export function renderKustomization(input: RenderInput, kustomization: KustomizationSpec): KubeObject {
  const { spec } = input;
  const substitute = kustomization.postBuild.substitute;
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
      postBuild: Object.keys(substitute).length > 0 ? { substitute: { ...substitute } } : undefined,
      serviceAccountName: workloadServiceAccount(input),
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
      values,
      serviceAccountName: workloadServiceAccount(input),
      suspend: spec.suspend ? true : undefined,
    }),
  };
}
