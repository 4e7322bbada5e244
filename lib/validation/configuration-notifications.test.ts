import { describe, expect, it } from "vitest";
import { configurationSpecSchema, formatZodErrors, type ConfigurationSpecInput } from "./configuration";
import { fieldLabel, highlightedFields } from "./field-labels";

// Issue 16: Flux's own alerts. Every bad input is refused on the field that holds it.

const slack = { name: "slack", type: "slack", channel: "alerts", credentialId: "cred-1" };
const alert = { name: "failures", providerRef: "slack", eventSeverity: "error" };

function spec(notifications: Record<string, unknown>, name = "platform"): ConfigurationSpecInput {
  return {
    name,
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref: { type: "branch", value: "main" } },
    kustomizations: [{ name: "apps" }],
    targets: { clusterIds: ["c1"] },
    notifications,
  } as ConfigurationSpecInput;
}

function errorsOf(input: ConfigurationSpecInput): Record<string, string> {
  const result = configurationSpecSchema.safeParse(input);
  if (result.success) throw new Error("expected validation to fail");
  return formatZodErrors(result.error);
}

describe("notifications", () => {
  it("accepts a Slack provider and an Alert, severity info by default", () => {
    const parsed = configurationSpecSchema.parse(spec({ providers: [slack, { name: "status", type: "gitlab", address: "https://gitlab.com/acme/platform", credentialId: "cred-2" }], alerts: [{ name: "all", providerRef: "slack" }] }));
    expect(parsed.notifications?.alerts[0]).toEqual({ name: "all", providerRef: "slack", eventSeverity: "info" });
    expect(parsed.notifications?.providers[1]?.type).toBe("gitlab");
  });

  it("keeps specs without notifications as they were", () => {
    expect(configurationSpecSchema.parse(spec(undefined as never)).notifications).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ["provider name", { providers: [{ ...slack, name: "Slack_Hook" }] }, "notifications.providers.0.name", "must"],
    ["provider type", { providers: [{ ...slack, type: "Slack" }] }, "notifications.providers.0.type", "must be one of slack, discord, msteams"],
    ["a webhook address in the plain spec", { providers: [{ ...slack, address: "https://hooks.slack.com/services/x" }] }, "notifications.providers.0.address", "a webhook address is a secret"],
    ["a chat provider without its webhook credential", { providers: [{ ...slack, credentialId: undefined }] }, "notifications.providers.0.credentialId", "is required for slack"],
    ["a commit status provider without the repository", { providers: [{ name: "status", type: "github", credentialId: "cred-2" }] }, "notifications.providers.0.address", "is required for github"],
    ["a commit status provider over http", { providers: [{ name: "status", type: "github", address: "http://github.com/acme/x", credentialId: "cred-2" }] }, "notifications.providers.0.address", "scheme 'http' is not allowed"],
    ["a repository URL with a token in it", { providers: [{ name: "status", type: "github", address: "https://x:tok@github.com/acme/x", credentialId: "cred-2" }] }, "notifications.providers.0.address", "must not embed a password"],
    ["a channel with a line break", { providers: [{ ...slack, channel: "a\nb" }] }, "notifications.providers.0.channel", "control characters"],
    ["two providers of one name", { providers: [slack, { ...slack, type: "discord" }] }, "notifications.providers.1.name", "is used by another provider"],
    ["event severity", { providers: [slack], alerts: [{ ...alert, eventSeverity: "warning" }] }, "notifications.alerts.0.eventSeverity", "must be info or error"],
    ["an alert naming no provider of the configuration", { providers: [slack], alerts: [{ ...alert, providerRef: "teams" }] }, "notifications.alerts.0.providerRef", "must name a provider of this configuration"],
    ["two alerts of one name", { providers: [slack], alerts: [alert, alert] }, "notifications.alerts.1.name", "is used by another alert"],
    ["an inclusion pattern that does not compile", { providers: [slack], alerts: [{ ...alert, inclusionList: "ok.*\n(unclosed" }] }, "notifications.alerts.0.inclusionList", "line 2: is not a valid regular expression"],
    ["an exclusion pattern with lookaround", { providers: [slack], alerts: [{ ...alert, exclusionList: ["^(?!keep).*"] }] }, "notifications.alerts.0.exclusionList", "line 1: must not use lookaround"],
    ["an event source kind", { providers: [slack], alerts: [{ ...alert, eventSources: "- kind: Deployment\n  name: web\n" }] }, "notifications.alerts.0.eventSources", "item 1: kind must be one of Bucket, GitRepository"],
    ["matchLabels with a named event source", { providers: [slack], alerts: [{ ...alert, eventSources: "- kind: Kustomization\n  name: web\n  matchLabels:\n    team: a\n" }] }, "notifications.alerts.0.eventSources", "item 1: matchLabels applies only with name *"],
    ["a misspelled event source field", { providers: [slack], alerts: [{ ...alert, eventSources: "- kind: Kustomization\n  name: web\n  namespce: x\n" }] }, "notifications.alerts.0.eventSources", 'unknown field "namespce"'],
    ["a summary over 255 characters", { providers: [slack], alerts: [{ ...alert, summary: "x".repeat(256) }] }, "notifications.alerts.0.summary", "at most 255"],
    ["too many providers", { providers: Array.from({ length: 11 }, (_, i) => ({ ...slack, name: `p${i}` })) }, "notifications.providers", "must be at most 10"],
  ])("refuses %s on its field", (_, notifications, path, message) => {
    expect(errorsOf(spec(notifications))[path]).toContain(message);
  });

  it("refuses an object name longer than a DNS label with the configuration's name", () => {
    const errors = errorsOf(spec({ providers: [{ ...slack, name: "p".repeat(40) }] }, "c".repeat(30)));
    expect(errors["notifications.providers.0.name"]).toContain("would be 71 characters");
  });

  it("names the field as the wizard labels it", () => {
    expect(fieldLabel("notifications.alerts.0.eventSeverity")).toBe("Alert 1 event severity");
    expect(fieldLabel("notifications.providers.1.credentialId")).toBe("Provider 2 webhook credential");
    expect(highlightedFields(["notifications.alerts.2.providerRef"])).toBe("Check the highlighted field: Alert 3 provider.");
  });
});
