import { helmReleaseObjectName, kustomizationObjectName, notificationObjectName, objectMeta, providerSecretName, sourceObjectName } from "@/lib/reconcilers/labels";
import type { AlertSpec, ConfigurationSpec, ProviderSpec } from "@/lib/validation/configuration";
import type { JsonValue } from "@/lib/validation/json";
import { keySecret } from "./keys";
import { withoutUndefined } from "./sources";
import type { KubeObject, RenderInput } from "./types";

/**
 * Flux notification-controller objects (v1beta3): each provider's Secret (from its webhook
 * credential, keys `address` and `token`), the Provider naming it in `secretRef`, then the
 * Alerts. v1beta3 objects have no status: they are pushed, diffed and pruned, not observed.
 */

export const NOTIFICATION_API_VERSION = "notification.toolkit.fluxcd.io/v1beta3";

/** Without eventSources of its own, an Alert reports on what the configuration itself renders. */
export function defaultEventSources(spec: ConfigurationSpec): Array<{ kind: string; name: string; namespace: string }> {
  const at = (kind: string, name: string) => ({ kind, name, namespace: spec.namespace });
  return [
    at(spec.source.kind, sourceObjectName(spec.name)),
    ...spec.kustomizations.map((k) => at("Kustomization", kustomizationObjectName(spec.name, k.name))),
    ...spec.helmReleases.map((r) => at("HelmRelease", helmReleaseObjectName(spec.name, r.name))),
  ];
}

function renderProvider(input: RenderInput, provider: ProviderSpec): KubeObject {
  const { spec } = input;
  return {
    apiVersion: NOTIFICATION_API_VERSION,
    kind: "Provider",
    metadata: objectMeta(input, notificationObjectName(spec.name, provider.name)),
    spec: withoutUndefined({
      type: provider.type,
      channel: provider.channel,
      username: provider.username,
      address: provider.address,
      secretRef: provider.credentialId ? { name: providerSecretName(spec.name, provider.name) } : undefined,
      suspend: provider.suspend ? true : undefined,
    }),
  };
}

function renderAlert(input: RenderInput, alert: AlertSpec): KubeObject {
  const { spec } = input;
  const sources = alert.eventSources ?? defaultEventSources(spec);
  return {
    apiVersion: NOTIFICATION_API_VERSION,
    kind: "Alert",
    metadata: objectMeta(input, notificationObjectName(spec.name, alert.name)),
    spec: withoutUndefined({
      providerRef: { name: notificationObjectName(spec.name, alert.providerRef) },
      eventSeverity: alert.eventSeverity,
      eventSources: JSON.parse(JSON.stringify(sources)) as JsonValue,
      inclusionList: alert.inclusionList,
      exclusionList: alert.exclusionList,
      summary: alert.summary,
      suspend: alert.suspend ? true : undefined,
    }),
  };
}

/** In apply order: Secrets, Providers, Alerts (an Alert's provider must exist for it to be ready). */
export function renderNotifications(input: RenderInput): KubeObject[] {
  const notifications = input.spec.notifications;
  if (!notifications) return [];
  const secrets: KubeObject[] = [];
  for (const provider of notifications.providers) {
    const key = provider.credentialId ? input.keys?.[provider.credentialId] : undefined;
    if (key) secrets.push(keySecret(input, providerSecretName(input.spec.name, provider.name), key));
  }
  return [...secrets, ...notifications.providers.map((p) => renderProvider(input, p)), ...notifications.alerts.map((a) => renderAlert(input, a))];
}
