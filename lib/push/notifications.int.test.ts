import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import { ALERTED_PRUNE_ORDER } from "@/lib/reconcilers/flux/test-fixtures";
import { fluxLabels } from "@/test-support/crds";
import { anyJson, col, crd } from "@/test-support/crds/schema";
import { startHarness, type Harness } from "@/test-support/harness";
import { pushVersion, saveVersion } from "@/test-support/push-steps";
import { useTempDatabase } from "@/test-support/temp-db";

// Issue 16: a configuration's Flux Provider and Alert pushed to real API servers whose CRDs
// declare notification-controller's v1beta3 schema: read back field by field, the webhook
// address only in the Secret, pruned when the version drops them, and a cluster without the
// notification CRDs failing with a reason rather than a crash.
let harness: Harness;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("@/lib/configurations/store");
let rollouts: typeof import("./rollouts");
let run: typeof import("./run");
const ids: string[] = [];
const credentialIds: Record<string, string> = {};
const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
const HOOK = "https://hooks.slack.com/services/T0/B0/canary-hook-93e1";
const STATUS_TOKEN = "canary-status-token-0b7d";
const NOTIFY = "notification.toolkit.fluxcd.io/v1beta3";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  harness = await startHarness({ clusters: 2, name: "alerts", git: false, standIn: false });
  [store, rollouts, run] = await Promise.all([import("@/lib/configurations/store"), import("./rollouts"), import("./run")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  for (const [index, cluster] of harness.clusters.entries()) {
    const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
    ids.push(insertCluster({ name: cluster.name, displayName: cluster.name, labels: { env: index === 0 ? "prod" : "lab" }, authMethod: "token", credentials, createdBy: "test" }, null).id);
  }
  const { createCredential } = await import("@/lib/credentials/store");
  for (const input of [
    { type: "webhook", name: "slack-hook", address: HOOK },
    { type: "webhook", name: "status-token", token: STATUS_TOKEN },
  ]) {
    const created = await createCredential(input, { author: "admin" });
    if (created.status !== "ok") throw new Error(JSON.stringify(created));
    credentialIds[input.name] = created.credential.id;
  }
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  temp?.cleanup();
});

function alertedSpec(overrides: Record<string, unknown> = {}) {
  return {
    name: "alerted",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/platform", ref: { type: "branch", value: "main" }, interval: "1m" },
    kustomizations: [{ name: "apps", path: "./apps" }],
    targets: { selector: { matchLabels: { env: "prod" } } },
    notifications: {
      providers: [
        { name: "slack", type: "slack", channel: "fleet", username: "flux", credentialId: credentialIds["slack-hook"] },
        { name: "status", type: "github", address: "https://github.com/acme/platform", credentialId: credentialIds["status-token"] },
      ],
      alerts: [
        { name: "failures", providerRef: "slack", eventSeverity: "error", summary: "prod", exclusionList: ["^Dependencies do not meet"] },
        { name: "commits", providerRef: "status", eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "web" } }] },
      ],
    },
    ...overrides,
  };
}

const save = (spec: Record<string, unknown>, id?: string) => saveVersion(store, spec, actor.email, id);
const push = (id: string, version: number) => pushVersion({ rollouts, run }, id, version, actor, { retry: { retries: 1, baseMs: 50, maxMs: 200 } });

const get = (index: number, apiVersion: string, kind: string, name: string) => harness.clusters[index]!.rest().get(apiVersion, kind, "flux-system", name);

describe("Flux alerts pushed to a cluster", () => {
  let config: { id: string; version: number };

  it("refuses a webhook address in the plain spec, and a credential without what the provider type needs", () => {
    const inline = store.createConfiguration(alertedSpec({ notifications: { providers: [{ name: "slack", type: "slack", address: HOOK, credentialId: credentialIds["slack-hook"] }] } }), { author: actor.email });
    expect(inline.status === "invalid" && inline.fieldErrors["notifications.providers.0.address"]).toContain("a webhook address is a secret");
    const wrong = store.createConfiguration(alertedSpec({ notifications: { providers: [{ name: "slack", type: "slack", credentialId: credentialIds["status-token"] }] } }), { author: actor.email });
    expect(wrong.status === "invalid" && wrong.fieldErrors["notifications.providers.0.credentialId"]).toBe("must hold the webhook address for this provider type");
    expect(store.listConfigurations()).toEqual([]);
  });

  it("applies Secrets, Providers and Alerts with Flux's exact fields, the address only in the Secret", async () => {
    config = save(alertedSpec());
    const progress = await push(config.id, config.version);
    expect(progress.clusters.map((c) => [c.clusterId, c.state, c.reason])).toEqual([[ids[0], "applied", null]]);
    expect(progress.clusters[0]?.objects.slice(-6)).toEqual([
      "Secret flux-system/alerted-slack-notify",
      "Secret flux-system/alerted-status-notify",
      "Provider flux-system/alerted-slack",
      "Provider flux-system/alerted-status",
      "Alert flux-system/alerted-failures",
      "Alert flux-system/alerted-commits",
    ]);
    expect((await get(0, NOTIFY, "Provider", "alerted-slack"))?.spec).toEqual({ type: "slack", channel: "fleet", username: "flux", secretRef: { name: "alerted-slack-notify" } });
    expect((await get(0, NOTIFY, "Provider", "alerted-status"))?.spec).toEqual({ type: "github", address: "https://github.com/acme/platform", secretRef: { name: "alerted-status-notify" } });
    const failures = await get(0, NOTIFY, "Alert", "alerted-failures");
    expect(failures?.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "fleetline", "fleetline.io/configuration": "alerted", "fleetline.io/configuration-id": config.id });
    expect(failures?.spec).toEqual({
      providerRef: { name: "alerted-slack" },
      eventSeverity: "error",
      eventSources: [
        { kind: "GitRepository", name: "alerted", namespace: "flux-system" },
        { kind: "Kustomization", name: "alerted-apps", namespace: "flux-system" },
      ],
      exclusionList: ["^Dependencies do not meet"],
      summary: "prod",
    });
    expect((await get(0, NOTIFY, "Alert", "alerted-commits"))?.spec).toEqual({ providerRef: { name: "alerted-status" }, eventSeverity: "info", eventSources: [{ kind: "Kustomization", name: "*", matchLabels: { team: "web" } }] });
    const hook = await get(0, "v1", "Secret", "alerted-slack-notify");
    expect(Buffer.from((hook?.data as Record<string, string>).address!, "base64").toString()).toBe(HOOK);
    const token = await get(0, "v1", "Secret", "alerted-status-notify");
    expect(Object.keys(token?.data as object)).toEqual(["token"]);
    expect(Buffer.from((token?.data as Record<string, string>).token!, "base64").toString()).toBe(STATUS_TOKEN);
    expect(JSON.stringify(progress)).not.toContain("canary-");
    // The version the Versions tab shows names the credential, never the address.
    expect(JSON.stringify(store.getVersion(config.id, config.version)?.spec)).not.toContain("canary-hook");
  });

  it("a version without them prunes the Alerts, then the Providers, then their Secrets", async () => {
    const next = save(alertedSpec({ notifications: undefined }), config.id);
    const progress = await push(next.id, next.version);
    expect(progress.clusters.map((c) => [c.state, c.pruned])).toEqual([["applied", ALERTED_PRUNE_ORDER]]);
    for (const [apiVersion, kind, name] of [[NOTIFY, "Alert", "alerted-failures"], [NOTIFY, "Provider", "alerted-slack"], ["v1", "Secret", "alerted-slack-notify"]] as const) {
      expect(await get(0, apiVersion, kind, name), `${kind} ${name}`).toBeUndefined();
    }
    expect(await get(0, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", "alerted-apps")).toBeDefined();
  });

  it("a cluster without the notification CRDs fails its row with the reason, and the push goes on elsewhere", async () => {
    const admin = harness.clusters[1]!.rest();
    for (const plural of ["alerts", "providers"]) await admin.remove({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: `${plural}.notification.toolkit.fluxcd.io` });
    await expect.poll(async () => admin.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "providers.notification.toolkit.fluxcd.io"), { timeout: 30_000 }).toBeUndefined();
    const both = save(alertedSpec({ targets: { clusterIds: ids } }), config.id);
    const progress = await push(both.id, both.version);
    const byId = new Map(progress.clusters.map((c) => [c.clusterId, c]));
    expect(byId.get(ids[0]!)?.state).toBe("applied");
    expect(byId.get(ids[1]!)?.state).toBe("failed");
    expect(byId.get(ids[1]!)?.reason).toBe(`Provider flux-system/alerted-slack: the cluster does not serve Provider in ${NOTIFY} (is its CRD installed?)`);
  });

  it("cleanup removes them where the group's preferred version (v1, for Receivers) lacks Alerts and Providers", async () => {
    const cluster = harness.clusters[0]!;
    const admin = cluster.rest();
    const receiver = crd({ group: "notification.toolkit.fluxcd.io", version: "v1", kind: "Receiver", plural: "receivers", singular: "receiver", labels: fluxLabels("notification-controller"), columns: [col.age], properties: { spec: anyJson() } });
    await admin.apply(receiver as never, "test");
    const { createClusterClient } = await import("@/lib/k8s/client");
    const client = createClusterClient({ server: cluster.server, caData: cluster.caData, token: cluster.adminToken });
    await expect.poll(async () => (await client.get<{ preferredVersion?: { version?: string } }>("/apis/notification.toolkit.fluxcd.io")).preferredVersion?.version, { timeout: 30_000 }).toBe("v1");
    expect(await get(0, NOTIFY, "Alert", "alerted-failures")).toBeDefined();
    const { removeManagedObjects } = await import("@/lib/inventory/cleanup");
    const { deleted } = await removeManagedObjects(client, "alerted", config.id);
    expect(deleted).toEqual(expect.arrayContaining(["Alert/flux-system/alerted-failures", "Provider/flux-system/alerted-slack", "secrets/flux-system/alerted-slack-notify"]));
    expect(await get(0, NOTIFY, "Alert", "alerted-failures")).toBeUndefined();
    expect(await get(0, NOTIFY, "Provider", "alerted-status")).toBeUndefined();
  });

  it("refuses Flux alerts for a configuration that targets an Argo CD cluster, on the notifications field", async () => {
    const { getDb } = await import("@/db");
    const { clusters } = await import("@/db/schema");
    const { eq } = await import("drizzle-orm");
    getDb().update(clusters).set({ reconcilerOverride: "argocd" }).where(eq(clusters.id, ids[1]!)).run();
    const result = store.updateConfiguration(config.id, alertedSpec({ targets: { clusterIds: ids } }), { author: actor.email });
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.fieldErrors.notifications).toBe(`are Flux only (notification-controller Providers and Alerts): target ${harness.clusters[1]!.name} runs Argo CD; remove the alerts or those targets`);
    expect(store.updateConfiguration(config.id, alertedSpec({ targets: { clusterIds: [ids[0]!] } }), { author: actor.email }).status).toBe("ok");
  });
});
