import type { ObjectMeta, RenderInput } from "@/lib/reconcilers/flux/types";

/** Names, labels and annotations shared by every object Fleetline writes to a cluster. */

export const FLUX_NAMESPACE = "flux-system";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "fleetline";
export const CONFIGURATION_LABEL = "fleetline.io/configuration";
export const VERSION_ANNOTATION = "fleetline.io/version";
export const CONFIGURATION_ID_ANNOTATION = "fleetline.io/configuration-id";

// Azure's naming convention, so users migrating from Arc GitOps recognise their objects.
export function sourceObjectName(configurationName: string): string {
  return configurationName;
}

export function kustomizationObjectName(configurationName: string, kustomizationName: string): string {
  return `${configurationName}-${kustomizationName}`;
}

export function helmReleaseObjectName(configurationName: string, releaseName: string): string {
  return `${configurationName}-${releaseName}`;
}

export function credentialSecretName(configurationName: string): string {
  return `${configurationName}-auth`;
}

export function fleetlineLabels(configurationName: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [CONFIGURATION_LABEL]: configurationName };
}

/** Metadata for an object of this configuration; cluster-scoped objects get no namespace. */
export function objectMeta(input: RenderInput, name: string, { namespaced = true } = {}): ObjectMeta {
  return {
    name,
    ...(namespaced ? { namespace: input.spec.namespace } : {}),
    labels: fleetlineLabels(input.spec.name),
    annotations: {
      [VERSION_ANNOTATION]: String(input.version),
      [CONFIGURATION_ID_ANNOTATION]: input.configurationId,
    },
  };
}
