import { describe, expect, it } from "vitest";
import { computePruneSet, describeRef } from "@/lib/reconcilers/kinds";
import { renderFluxObjects } from "./render";
import { ALERTED_PRUNE_ORDER, alertsInput, WEBHOOK_KEYS } from "./test-fixtures";
import { maskSecrets, toYaml } from "./yaml-output";

const byName = (kind: string, name: string) => renderFluxObjects(alertsInput).find((o) => o.kind === kind && o.metadata.name === name);
const decoded = (data: Record<string, string> | undefined) => Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));

describe("Flux alerts render", () => {
  it("renders Secrets, then Providers, then Alerts, after the workloads", () => {
    const kinds = renderFluxObjects(alertsInput).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds.slice(-6)).toEqual([
      "Secret/alerted-slack-notify",
      "Secret/alerted-status-notify",
      "Provider/alerted-slack",
      "Provider/alerted-status",
      "Alert/alerted-failures",
      "Alert/alerted-commits",
    ]);
  });

  it.each([
    ["a Slack provider reading its address from the Secret", "Provider", "alerted-slack", { type: "slack", channel: "fleet-alerts", username: "flux", secretRef: { name: "alerted-slack-notify" } }],
    ["a GitHub commit status provider with the repository as address", "Provider", "alerted-status", { type: "github", address: "https://github.com/acme/platform", secretRef: { name: "alerted-status-notify" } }],
    [
      "an Alert on the configuration's own source, Kustomizations and Helm releases by default",
      "Alert",
      "alerted-failures",
      {
        providerRef: { name: "alerted-slack" },
        eventSeverity: "error",
        eventSources: [
          { kind: "GitRepository", name: "alerted", namespace: "flux-system" },
          { kind: "Kustomization", name: "alerted-infra", namespace: "flux-system" },
          { kind: "Kustomization", name: "alerted-apps", namespace: "flux-system" },
          { kind: "HelmRelease", name: "alerted-web", namespace: "flux-system" },
        ],
        inclusionList: [".*failed.*", "^Health check"],
        exclusionList: ["^Dependencies do not meet"],
        summary: "prod platform",
      },
    ],
    ["an Alert on chosen sources, severity info by default, suspended", "Alert", "alerted-commits", { providerRef: { name: "alerted-status" }, eventSeverity: "info", eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "platform" } }], suspend: true }],
  ])("%s", (_, kind, name, spec) => {
    const object = byName(kind, name);
    expect(object?.apiVersion).toBe("notification.toolkit.fluxcd.io/v1beta3");
    expect(object?.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "fleetline", "fleetline.io/configuration": "alerted", "fleetline.io/configuration-id": "cfg_01HZX3" });
    expect(object?.spec).toEqual(spec);
  });

  it("puts the webhook address and the token only in the Secrets, under Flux's keys", () => {
    expect(decoded(byName("Secret", "alerted-slack-notify")?.data)).toEqual({ address: WEBHOOK_KEYS.slack.address });
    expect(decoded(byName("Secret", "alerted-status-notify")?.data)).toEqual({ token: WEBHOOK_KEYS.github.token });
    const elsewhere = JSON.stringify(renderFluxObjects(alertsInput).filter((o) => o.kind !== "Secret"));
    expect(elsewhere).not.toContain("canary-slack-hook");
    expect(elsewhere).not.toContain("canary-github-status-token");
    const masked = toYaml(maskSecrets(renderFluxObjects(alertsInput)));
    expect(masked).not.toContain("canary-slack-hook");
    expect(masked).not.toContain("canary-github-status-token");
  });

  it("refuses to render without the webhook credential a provider names", () => {
    expect(() => renderFluxObjects({ ...alertsInput, keys: { [Object.keys(alertsInput.keys!)[0]!]: WEBHOOK_KEYS.slack } })).toThrow(/notifications\.providers\.1\.credentialId/);
    expect(() => renderFluxObjects({ ...alertsInput, keys: { ...alertsInput.keys, "cred-github-1": { type: "webhook", address: "https://example.com/x" } } })).toThrow(/needs a webhook credential with a token/);
  });

  it("renders nothing of the kind without notifications", () => {
    const plain = renderFluxObjects({ ...alertsInput, spec: { ...alertsInput.spec, notifications: undefined }, keys: {} });
    expect(plain.some((o) => ["Provider", "Alert"].includes(o.kind) || o.metadata.name.endsWith("-notify"))).toBe(false);
  });

  it("prunes Alerts before Providers before their Secrets when a version drops them", () => {
    const live = renderFluxObjects(alertsInput).map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }));
    const next = renderFluxObjects({ ...alertsInput, spec: { ...alertsInput.spec, notifications: undefined }, keys: {} }).map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }));
    expect(computePruneSet(live, next).map(describeRef)).toEqual(ALERTED_PRUNE_ORDER);
  });
});
