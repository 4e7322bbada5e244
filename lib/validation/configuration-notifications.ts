import { z } from "zod";
import { linesListSchema, yamlListSchema } from "./configuration-flux-fields";
import { identityPatternSchema } from "./configuration-sources";
import { resourceIdSchema } from "./limits";
import { DNS_LABEL_MAX_LENGTH, dnsLabelSchema, labelsSchema } from "./names";
import { boundedText, ruleString } from "./rules";
import { checkNotifyUrl } from "./urls";

/**
 * Flux's own alerts (issue 16): notification-controller `v1beta3` Providers and Alerts a
 * configuration carries, so each cluster reports on the objects Fleetline pushed. Names and
 * enums as in notification-controller api/v1beta3 (provider_types.go, alert_types.go).
 *
 * A webhook address is a secret (whoever holds a Slack or Teams URL can post to it), so it is
 * never part of the spec: a provider names a webhook credential, sealed in Fleetline's store
 * and rendered as the Secret its `secretRef` names (keys `address` and `token`). Only a commit
 * status provider's address, the repository URL, is plain.
 */

export const MAX_PROVIDERS = 10;
export const MAX_ALERTS = 20;
export const MAX_EVENT_SOURCES = 20;
export const MAX_SUMMARY_LENGTH = 255;

/** Types that write commit statuses: the address is the repository, the credential holds a token. */
export const COMMIT_STATUS_TYPES = ["github", "gitlab", "gitea", "bitbucketserver", "bitbucket", "azuredevops"] as const;
/** Types that post to a webhook or chat API: the credential holds the address. */
export const WEBHOOK_TYPES = ["slack", "discord", "msteams", "rocket", "googlechat", "webex", "generic", "generic-hmac"] as const;
export const PROVIDER_TYPES = [...WEBHOOK_TYPES, ...COMMIT_STATUS_TYPES] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const EVENT_SEVERITIES = ["info", "error"] as const;

// notification-controller api/v1 CrossNamespaceObjectReference: the kinds whose events an Alert may select.
export const EVENT_SOURCE_KINDS = [
  "Bucket",
  "GitRepository",
  "Kustomization",
  "HelmRelease",
  "HelmChart",
  "HelmRepository",
  "ImageRepository",
  "ImagePolicy",
  "ImageUpdateAutomation",
  "OCIRepository",
] as const;

export function isCommitStatusType(type: ProviderType): boolean {
  return (COMMIT_STATUS_TYPES as readonly string[]).includes(type);
}

/** What the provider's Secret must hold for its type. */
export function secretKeysFor(type: ProviderType): { address: boolean; token: boolean } {
  if (isCommitStatusType(type)) return { address: false, token: true };
  return { address: true, token: type === "generic-hmac" };
}

const singleLine = (max: number) => ruleString(boundedText(max));

const providerSchema = z.object({
  name: dnsLabelSchema,
  type: z.enum(PROVIDER_TYPES, { error: `must be one of ${PROVIDER_TYPES.join(", ")}` }),
  channel: singleLine(2048).optional(),
  username: singleLine(2048).optional(),
  // Commit status types only: the repository's https URL.
  address: ruleString((value) => {
    const result = checkNotifyUrl(value);
    return result.ok ? undefined : result.error;
  }).optional(),
  credentialId: resourceIdSchema.optional(),
  suspend: z.boolean().optional(),
});

const eventSourceSchema = z
  .strictObject(
    {
      kind: z.enum(EVENT_SOURCE_KINDS, { error: `must be one of ${EVENT_SOURCE_KINDS.join(", ")}` }),
      name: ruleString((value) => (value === "*" || /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(value) ? undefined : "must be an object name or *")),
      namespace: dnsLabelSchema.optional(),
      matchLabels: labelsSchema.optional(),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? `has an unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")} (Flux would drop it)` : "must be a mapping") },
  )
  .superRefine((source, ctx) => {
    // Flux reads matchLabels only for the wildcard name.
    if (source.matchLabels !== undefined && source.name !== "*") ctx.addIssue({ code: "custom", path: ["matchLabels"], message: "applies only with name *" });
  });

const alertSchema = z.object({
  name: dnsLabelSchema,
  providerRef: dnsLabelSchema,
  eventSeverity: z.enum(EVENT_SEVERITIES, { error: "must be info or error" }).default("info"),
  // Absent: the configuration's own source, Kustomizations and Helm releases.
  eventSources: yamlListSchema(eventSourceSchema, { noun: "event sources", max: MAX_EVENT_SOURCES }).optional(),
  inclusionList: linesListSchema(identityPatternSchema, { noun: "regular expressions", max: 20 }).optional(),
  exclusionList: linesListSchema(identityPatternSchema, { noun: "regular expressions", max: 20 }).optional(),
  summary: singleLine(MAX_SUMMARY_LENGTH).optional(),
  suspend: z.boolean().optional(),
});

export type ProviderSpec = z.output<typeof providerSchema>;
export type AlertSpec = z.output<typeof alertSchema>;

const notificationsSchema = z
  .object({
    providers: z.array(providerSchema).max(MAX_PROVIDERS, `must be at most ${MAX_PROVIDERS}`).default(() => []),
    alerts: z.array(alertSchema).max(MAX_ALERTS, `must be at most ${MAX_ALERTS}`).default(() => []),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    for (const [index, provider] of spec.providers.entries()) {
      const at = (field: string) => ["providers", index, field];
      if (seen.has(provider.name)) ctx.addIssue({ code: "custom", path: at("name"), message: "is used by another provider of this configuration" });
      seen.add(provider.name);
      if (isCommitStatusType(provider.type)) {
        if (provider.address === undefined) ctx.addIssue({ code: "custom", path: at("address"), message: `is required for ${provider.type}: the repository's https URL` });
        if (provider.credentialId === undefined) ctx.addIssue({ code: "custom", path: at("credentialId"), message: `is required for ${provider.type}: a webhook credential holding the API token` });
      } else {
        if (provider.address !== undefined) ctx.addIssue({ code: "custom", path: at("address"), message: `must not be in the configuration for ${provider.type}: a webhook address is a secret, keep it in a webhook credential` });
        if (provider.credentialId === undefined) ctx.addIssue({ code: "custom", path: at("credentialId"), message: `is required for ${provider.type}: a webhook credential holding the address` });
      }
    }
    const alertNames = new Set<string>();
    for (const [index, alert] of spec.alerts.entries()) {
      if (alertNames.has(alert.name)) ctx.addIssue({ code: "custom", path: ["alerts", index, "name"], message: "is used by another alert of this configuration" });
      alertNames.add(alert.name);
      if (!seen.has(alert.providerRef)) ctx.addIssue({ code: "custom", path: ["alerts", index, "providerRef"], message: "must name a provider of this configuration" });
    }
  });

/** Added to the configuration spec. */
export const notificationsShape = { notifications: notificationsSchema.optional() };

export type NotificationsSpec = z.output<typeof notificationsSchema>;

/** Object names "<configuration>-<name>", as for Kustomizations: at most a DNS label. */
export function checkNotificationNames(spec: { name: string; notifications?: NotificationsSpec }, ctx: z.RefinementCtx): void {
  const check = (group: "providers" | "alerts", index: number, name: string) => {
    const length = spec.name.length + 1 + name.length;
    if (length > DNS_LABEL_MAX_LENGTH) {
      ctx.addIssue({ code: "custom", path: ["notifications", group, index, "name"], message: `with the configuration name, the object name "<configuration>-<name>" would be ${length} characters; the limit is ${DNS_LABEL_MAX_LENGTH}` });
    }
  };
  spec.notifications?.providers.forEach((provider, index) => check("providers", index, provider.name));
  spec.notifications?.alerts.forEach((alert, index) => check("alerts", index, alert.name));
}
