import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { useTempDatabase } from "@/test-support/temp-db";

// Real API servers and a real SQLite file: registration, discovery and the health sweep end to end.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let flux: TestCluster;
let bare: TestCluster;
let doomed: TestCluster;

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  [flux, bare, doomed] = await Promise.all([startCluster({ name: "flux" }), startCluster({ name: "bare", flux: false }), startCluster({ name: "doomed" })]);
});

afterAll(async () => {
  await Promise.all([flux, bare, doomed].filter(Boolean).map((c) => c.stop()));
  temp?.cleanup();
});

async function register(name: string, input: Parameters<typeof import("./credentials").resolveCredentials>[0], labels: Record<string, string> = {}) {
  const { resolveCredentials } = await import("./credentials");
  const { checkConnection, insertCluster } = await import("./registry");
  const resolved = resolveCredentials(input);
  if (!resolved.ok) throw new Error(`${resolved.field}: ${resolved.message}`);
  const check = await checkConnection(resolved.credentials);
  const cluster = insertCluster({ name, displayName: name, labels, authMethod: input.credentialMode, credentials: resolved.credentials, createdBy: "test" }, check);
  return { cluster, check };
}

describe("registration", () => {
  it("registers by kubeconfig and sees v1.20.2 with Flux installed", async () => {
    const { check, cluster } = await register("flux-by-kubeconfig", { credentialMode: "kubeconfig", kubeconfig: flux.kubeconfig() }, { env: "prod" });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.probe.kubernetesVersion).toBe("v1.20.2");
    expect(check.probe.flux.installed).toBe(true);
    expect(cluster.credentials.startsWith("v1:")).toBe(true);
  });

  it("registers by URL and token", async () => {
    const { check } = await register("flux-by-token", { credentialMode: "token", server: flux.server, token: flux.adminToken, caData: flux.caData });
    expect(check.ok && check.probe.kubernetesVersion).toBe("v1.20.2");
  });

  it("reports Flux not installed on a cluster without its CRDs", async () => {
    const { check } = await register("bare", { credentialMode: "kubeconfig", kubeconfig: bare.kubeconfig() });
    expect(check.ok && check.probe.flux.installed).toBe(false);
  });

  it("names the TLS failure when the CA is wrong", async () => {
    const { resolveCredentials } = await import("./credentials");
    const { checkConnection } = await import("./registry");
    const resolved = resolveCredentials({ credentialMode: "token", server: flux.server, token: flux.adminToken, caData: bare.caData });
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    const check = await checkConnection(resolved.credentials);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.kind).toBe("tls");
  });

  it("says 401 for a wrong token", async () => {
    const { resolveCredentials } = await import("./credentials");
    const { checkConnection } = await import("./registry");
    const resolved = resolveCredentials({ credentialMode: "token", server: flux.server, token: "not-a-valid-token", caData: flux.caData });
    if (!resolved.ok) throw new Error(resolved.message);
    const check = await checkConnection(resolved.credentials);
    expect(check.ok ? "ok" : check.kind).toBe("unauthorized");
  });

  it("keeps no plaintext token in the database file", () => {
    const bytes = temp.storedText();
    expect(bytes).not.toContain(flux.adminToken);
    expect(bytes).not.toContain("BEGIN CERTIFICATE");
  });
});

describe("health sweep", () => {
  it("marks a stopped cluster unreachable within one sweep while the others stay fresh", async () => {
    const { runHealthSweep } = await import("@/lib/observe/loop");
    const { getDb } = await import("@/db");
    const { clusterHealth, clusters } = await import("@/db/schema");
    const { eq } = await import("drizzle-orm");
    const { cluster: victim } = await register("doomed", { credentialMode: "kubeconfig", kubeconfig: doomed.kubeconfig() });

    const first = await runHealthSweep({ clusterIds: getDb().select({ id: clusters.id }).from(clusters).all().map((c) => c.id) });
    expect(first.every((o) => o.state === "reachable")).toBe(true);

    await doomed.stop();
    const started = Date.now();
    const second = await runHealthSweep({ clusterIds: first.map((o) => o.clusterId), timeoutMs: 3000 });
    const elapsed = Date.now() - started;
    const byId = new Map(second.map((o) => [o.clusterId, o]));
    expect(byId.get(victim.id)?.state).toBe("unreachable");
    // A new connection is refused; one kept alive from the first pass is reset instead: both say the server is gone.
    expect(byId.get(victim.id)?.reason).toMatch(/refused|reset/i);
    expect([...byId.values()].filter((o) => o.clusterId !== victim.id).every((o) => o.state === "reachable")).toBe(true);
    // The dead cluster costs at most its own deadline, not the others' time.
    expect(elapsed).toBeLessThan(3000 + 2000);

    const row = getDb().select().from(clusterHealth).where(eq(clusterHealth.clusterId, victim.id)).get();
    expect(row?.consecutiveFailures).toBe(1);
    expect(row?.lastSeenAt).not.toBeNull();
    expect(row!.nextCheckAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("shows a 403 reason for a token without rights", async () => {
    // A service account with no role bindings, token minted through the TokenRequest API.
    const admin = flux.rest("admin");
    await admin.json("POST", "/api/v1/namespaces/default/serviceaccounts", { body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nobody" } } });
    const minted = await admin.json<{ status: { token: string } }>("POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
    });
    const { check, cluster } = await register("nobody", { credentialMode: "token", server: flux.server, token: minted.status.token, caData: flux.caData });
    expect(check.ok).toBe(true);
    const { runHealthSweep } = await import("@/lib/observe/loop");
    const [outcome] = await runHealthSweep({ clusterIds: [cluster.id] });
    expect(outcome?.state).toBe("reachable");
    expect(outcome?.reason).toMatch(/403 Forbidden/);
  });
});
