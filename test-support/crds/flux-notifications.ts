// notification.toolkit.fluxcd.io/v1beta3 Provider and Alert, typed after notification-controller's
// api/v1beta3 (provider_types.go, alert_types.go): neither has a status in v1beta3.
import { fluxLabels } from "./flux-sources";
import { arr, bool, col, crd, duration, localRef, obj, oneOf, str, strings, strMap, type CustomResourceDefinition } from "./schema";

const PROVIDER_TYPES = [
  "slack", "discord", "msteams", "rocket", "generic", "generic-hmac", "github", "gitlab", "gitea", "bitbucketserver", "bitbucket", "azuredevops",
  "googlechat", "googlepubsub", "webex", "sentry", "azureeventhub", "telegram", "lark", "matrix", "opsgenie", "alertmanager", "grafana",
  "githubdispatch", "pagerduty", "datadog", "nats",
];

const EVENT_SOURCE_KINDS = ["Bucket", "GitRepository", "Kustomization", "HelmRelease", "HelmChart", "HelmRepository", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation", "OCIRepository"];

const provider = crd({
  group: "notification.toolkit.fluxcd.io",
  version: "v1beta3",
  kind: "Provider",
  plural: "providers",
  singular: "provider",
  labels: fluxLabels("notification-controller"),
  columns: [col.age],
  statusSubresource: false,
  properties: {
    spec: obj(
      {
        type: oneOf(...PROVIDER_TYPES),
        interval: duration(),
        channel: str({ maxLength: 2048 }),
        username: str({ maxLength: 2048 }),
        address: str({ maxLength: 2048 }),
        timeout: str({ pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$" }),
        proxy: str({ maxLength: 2048, pattern: "^(http|https)://.*$" }),
        proxySecretRef: localRef(),
        secretRef: localRef(),
        serviceAccountName: str(),
        certSecretRef: localRef(),
        suspend: bool(),
        commitStatusExpr: str(),
      },
      ["type"],
    ),
  },
});

const alert = crd({
  group: "notification.toolkit.fluxcd.io",
  version: "v1beta3",
  kind: "Alert",
  plural: "alerts",
  singular: "alert",
  labels: fluxLabels("notification-controller"),
  columns: [col.age],
  statusSubresource: false,
  properties: {
    spec: obj(
      {
        providerRef: localRef(),
        eventSeverity: { ...oneOf("info", "error"), default: "info" },
        eventSources: arr(
          obj(
            {
              apiVersion: str(),
              kind: oneOf(...EVENT_SOURCE_KINDS),
              name: str({ minLength: 1, maxLength: 253 }),
              namespace: str({ minLength: 1, maxLength: 253 }),
              matchLabels: strMap(),
            },
            ["kind", "name"],
          ),
        ),
        inclusionList: strings(),
        eventMetadata: strMap(),
        exclusionList: strings(),
        summary: str({ maxLength: 255 }),
        suspend: bool(),
      },
      ["eventSources", "providerRef"],
    ),
  },
});

export const fluxNotificationCrds: CustomResourceDefinition[] = [provider, alert];
