import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// POST /api/v1/configurations/{id}/push with `wait`, against real API servers with the Flux
// stand-in and the observation loop sweeping as the server's background does: 200 once every
// target is Compliant on the pushed version, 409 naming the clusters and why when the time
// runs out, and a client that hangs up ends the wait.
let fleet: FleetFixture;
let loop: typeof import("@/lib/observe/loop");
let route: typeof import("@/app/api/v1/configurations/[id]/push/route");
let token = "";
let configurationId = "";

let sweeping = true;
let sweeper: Promise<void> | undefined;
async function sweep(): Promise<void> {
  while (sweeping) {
    await loop.runStatusSweep({ gitMaxAgeMs: 0, timeoutMs: 10_000 }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

beforeAll(async () => {
  process.env.FLEETLINE_GATE_POLL_MS = "200";
  fleet = await startFleetFixture({ clusters: 2, name: "apiwait", resyncMs: 500, labels: () => ({ env: "prod", fleet: "apiwait" }) });
  [loop, route] = await Promise.all([import("@/lib/observe/loop"), import("@/app/api/v1/configurations/[id]/push/route")]);
  const { createUser } = await import("@/lib/auth/users");
  const { createToken } = await import("@/lib/auth/tokens");
  const user = await createUser({ email: "pipeline@example.com", name: "pipeline", password: "correct horse battery staple", role: "operator" });
  const created = createToken(user, { name: "deploy-pipeline", expiresInDays: 1 });
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  token = created.token;
  sweeper = sweep();
}, 180_000);

afterAll(async () => {
  sweeping = false;
  await sweeper;
  await fleet?.stop();
});

const spec = (path: string) => ({
  name: "waited",
  scope: "cluster",
  source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
  kustomizations: [{ name: "infra", path, prune: true }],
  targets: { selector: { matchLabels: { fleet: "apiwait" } } },
});

async function push(body: unknown, signal?: AbortSignal) {
  const request = new Request(`http://fleetline.test/api/v1/configurations/${configurationId}/push`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const started = Date.now();
  const response = await route.POST(request, { params: Promise.resolve({ id: configurationId }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { clusters: { cluster: string; state: string; reason: string | null }[] }, ms: Date.now() - started };
}

describe("push with wait", () => {
  it("answers 200 compliant once every target runs the pushed version, Compliant", async () => {
    configurationId = fleet.save(spec("./infrastructure")).id;
    const answer = await push({ wait: "2m" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: "compliant", version: 1, rolloutState: expect.any(String), targets: 2, compliant: 2, clusters: [] });
    const { getDb } = await import("@/db");
    const { configurationStatus } = await import("@/db/schema-status");
    const rows = getDb().select().from(configurationStatus).all().filter((row) => row.configurationId === configurationId);
    expect(rows.map((row) => [row.state, row.appliedVersion])).toEqual([
      ["Compliant", 1],
      ["Compliant", 1],
    ]);
  });

  it("answers 409 timeout naming each cluster that is not Compliant and why", async () => {
    fleet.save(spec("./no-such-directory"), configurationId);
    // Long enough for a loaded machine's sweeps to read the failure, short enough to wait for.
    const answer = await push({ wait: "15s" });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ result: "timeout", version: 2, targets: 2, compliant: 0, error: "2 of 2 targets are not Compliant on v2 (timeout)" });
    expect(answer.body.clusters.map((c) => c.cluster).sort()).toEqual(fleet.harness.clusters.map((c) => c.name).sort());
    for (const cluster of answer.body.clusters) {
      expect(cluster.state).toBe("Non-Compliant");
      expect(cluster.reason).toBe("Kustomization/waited-infra: ArtifactFailed");
    }
    expect(answer.ms).toBeGreaterThanOrEqual(15_000);
    expect(answer.ms).toBeLessThan(20_000);
  });

  it("stops waiting when the client hangs up", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const answer = await push({ wait: "10m" }, controller.signal);
    expect(answer.body.result).toBe("cancelled");
    expect(answer.ms).toBeLessThan(3000);
  });
});
