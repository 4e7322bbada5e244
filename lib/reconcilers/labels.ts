import type { ObjectMeta, RenderInput } from "@/lib/reconcilers/flux/types";

/** Names, labels and annotations shared by every object Fleetline writes to a cluster. */

export const FLUX_NAMESPACE = "flux-system";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "fleetline";
export const CONFIGURATION_LABEL = "fleetline.io/configuration";
export const VERSION_ANNOTATION = "fleetline.io/version";
export const CONFIGURATION_ID_ANNOTATION = "fleetline.io/configuration-id";
/**
 * The configuration's id as a label too (ids never repeat; names are freed when a configuration is
 * deleted): a push forces only objects carrying its own id, and prunes nothing carrying another's.
 */
export const CONFIGURATION_ID_LABEL = "fleetline.io/configuration-id";

/** The one field manager every configuration used before each got its own; its fields are handed over on the next push. */
export const LEGACY_FIELD_MANAGER = "fleetline";

/**
 * Each configuration applies as its own field manager, so two configurations never share
 * ownership of a field silently. Keyed by id, not name: a name is reused after a delete, and the
 * new configuration must not inherit the old one's (possibly orphaned) objects.
 */
export function fieldManagerFor(configurationId: string): string {
  return `${LEGACY_FIELD_MANAGER}/${configurationId}`;
}

/** A field manager that is Fleetline's: the legacy shared one or a configuration's own. */
export function isFleetlineManager(manager: string): boolean {
  return manager === LEGACY_FIELD_MANAGER || manager.startsWith(`${LEGACY_FIELD_MANAGER}/`);
}

/** The configuration an object on a cluster belongs to: its id label, or the id annotation of objects pushed before the label existed. */
export function configurationIdOf(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }): string | undefined {
  return metadata.labels?.[CONFIGURATION_ID_LABEL] ?? metadata.annotations?.[CONFIGURATION_ID_ANNOTATION];
}

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

/** The Secret holding the public keys a source's signatures are verified with. */
export function verifySecretName(configurationName: string): string {
  return `${configurationName}-verify`;
}

/** The Secret of the n-th distinct SOPS key the configuration's Kustomizations decrypt with (0: the first). */
export function sopsSecretName(configurationName: string, index: number): string {
  return index === 0 ? `${configurationName}-sops` : `${configurationName}-sops-${index + 1}`;
}

/** A Flux notification Provider or Alert of the configuration: "<configuration>-<name>", as Kustomizations are named. */
export function notificationObjectName(configurationName: string, name: string): string {
  return `${configurationName}-${name}`;
}

/** The Secret holding a Provider's webhook address and/or token. */
export function providerSecretName(configurationName: string, providerName: string): string {
  return `${configurationName}-${providerName}-notify`;
}

export function fleetlineLabels(configurationName: string, configurationId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [CONFIGURATION_LABEL]: configurationName, [CONFIGURATION_ID_LABEL]: configurationId };
}

/** Metadata for an object of this configuration; cluster-scoped objects get no namespace. */
export function objectMeta(input: RenderInput, name: string, { namespaced = true } = {}): ObjectMeta {
  return {
    name,
    ...(namespaced ? { namespace: input.spec.namespace } : {}),
    labels: fleetlineLabels(input.spec.name, input.configurationId),
    annotations: {
      [VERSION_ANNOTATION]: String(input.version),
      [CONFIGURATION_ID_ANNOTATION]: input.configurationId,
    },
  };
}
