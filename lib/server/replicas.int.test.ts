import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "@/test-support/harness";
import { spawnGuarded, type GuardedProcess } from "@/test-support/process-guard";
import { useTempDatabase as openTempDatabase } from "@/test-support/temp-db";

// Two real portal processes (test-support/replica-process.ts: boot() with FLEETLINE_BACKGROUND on)
// on one SQLite file, observing 40 registrations on two real API servers. Who observed each
// cluster is the health row's observed_by, written by the observing process itself; both
// processes' notification dispatchers race for one outbox.
const CLUSTERS = 40;
const INTERVAL_S = 5;
const REPLICAS = ["replica-a", "replica-b"] as const;

let harness: Harness;
let temp: Awaited<ReturnType<typeof openTempDatabase>>;
let schema: typeof import("@/db/schema");
let replicaSchema: typeof import("@/db/schema-replicas");
let rendezvousOwner: typeof import("./rendezvous").rendezvousOwner;
const processes = new Map<string, GuardedProcess>();
const clusterIds: string[] = [];

function startReplica(id: string): GuardedProcess {
  const env = {
    DATABASE_URL: temp.file,
    FLEETLINE_DATA_DIR: temp.dir,
    FLEETLINE_SECRET_KEY: process.env.FLEETLINE_SECRET_KEY!,
    FLEETLINE_BACKGROUND: "on",
    FLEETLINE_REPLICA_ID: id,
    FLEETLINE_HEALTH_INTERVAL_S: String(INTERVAL_S),
    FLEETLINE_STATUS_INTERVAL_S: String(INTERVAL_S),
    FLEETLINE_HEALTH_TIMEOUT_MS: "4000",
    // The default TTL (15 s): the takeover below is measured with what a deployment gets.
    FLEETLINE_REPLICA_TTL_S: "15",
    // Both dispatchers look for pending notifications every 100 ms: as close a race as they can run.
    FLEETLINE_NOTIFY_GROUP_MS: "0",
    FLEETLINE_ALLOW_LOCAL_SOURCES: "true",
  };
  const script = path.join(process.cwd(), "test-support", "replica-process.ts");
  const child = spawnGuarded("env", [...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, "--conditions=react-server", "--import", "tsx", script], path.join(temp.dir, `${id}.log`));
  processes.set(id, child);
  return child;
}

const logTail = (id: string) => {
  const file = path.join(temp.dir, `${id}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").slice(-2000) : "(no log)";
};

type Check = { clusterId: string; checkedAt: number; observedBy: string | null };
const checks = (): Check[] =>
  temp.db
    .select({ clusterId: schema.clusterHealth.clusterId, checkedAt: schema.clusterHealth.checkedAt, observedBy: schema.clusterHealth.observedBy })
    .from(schema.clusterHealth)
    .all()
    .map((r) => ({ clusterId: r.clusterId, checkedAt: r.checkedAt?.getTime() ?? 0, observedBy: r.observedBy }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return { value, elapsedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms\n${[...processes.keys()].map((id) => `--- ${id}\n${logTail(id)}`).join("\n")}`);
    await sleep(250);
  }
}

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "33".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  process.env.FLEETLINE_ALLOW_LOCAL_SOURCES = "true";
  temp = await openTempDatabase();
  harness = await startHarness({ clusters: 2, name: "replicas", standIn: false, git: false });
  [schema, replicaSchema, { rendezvousOwner }] = await Promise.all([import("@/db/schema"), import("@/db/schema-replicas"), import("./rendezvous")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  for (let i = 0; i < CLUSTERS; i++) {
    const s = harness.clusters[i % 2]!;
    clusterIds.push(insertCluster({ name: `replica-${String(i).padStart(3, "0")}`, displayName: `replica ${i}`, labels: {}, authMethod: "token", credentials: { server: s.server, token: s.adminToken, caData: s.caData }, createdBy: "test" }, null).id);
  }
  for (const id of REPLICAS) startReplica(id);
});

afterAll(async () => {
  await Promise.all([...processes.values()].map((p) => p.kill()));
  await harness?.stop();
  temp?.cleanup();
});

describe("two replicas on one database", () => {
  const ownerOf = (clusterId: string) => rendezvousOwner(clusterId, [...REPLICAS]);

  it("each cluster is observed by its one replica, once per interval, and both replicas observe", async () => {
    // Both up, past the join's grace period, every cluster last checked by its owner.
    const startedAt = Date.now();
    await waitFor("both replicas live and every cluster observed by its owner", 150_000, () => {
      const live = temp.db.select().from(replicaSchema.replicas).all().map((r) => r.id).sort();
      const rows = checks();
      return live.join() === REPLICAS.join() && rows.length === CLUSTERS && rows.every((r) => r.checkedAt > startedAt && r.observedBy === ownerOf(r.clusterId));
    });
    const share = new Map(REPLICAS.map((id) => [id, clusterIds.filter((c) => ownerOf(c) === id).length]));
    expect(share.get("replica-a")).toBeGreaterThan(CLUSTERS / 5);
    expect(share.get("replica-b")).toBeGreaterThan(CLUSTERS / 5);

    // Three intervals, sampled every 200 ms: every check of a cluster, and who wrote it.
    const seen = new Map<string, Map<number, string | null>>(clusterIds.map((id) => [id, new Map()]));
    const windowEnds = Date.now() + 3 * INTERVAL_S * 1000;
    while (Date.now() < windowEnds) {
      for (const r of checks()) seen.get(r.clusterId)!.set(r.checkedAt, r.observedBy);
      await sleep(200);
    }
    for (const [clusterId, byTime] of seen) {
      expect(new Set(byTime.values()), clusterId).toEqual(new Set([ownerOf(clusterId)]));
      const times = [...byTime.keys()].sort((a, b) => a - b);
      expect(times.length, clusterId).toBeGreaterThanOrEqual(3);
      // Two replicas observing the same cluster would check it twice an interval.
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, clusterId).toBeGreaterThan((INTERVAL_S * 1000) / 2);
    }
    // One retention lease and one waiver lease, each held by one of the two.
    const leases = temp.db.select().from(replicaSchema.leases).all();
    expect(leases.map((l) => l.name).sort()).toEqual(["retention", "waiver-expiry"]);
    for (const lease of leases) expect(REPLICAS).toContain(lease.holder);
  }, 240_000);

  it("each notification is sent once, by one of the two dispatchers", async () => {
    const received: { count: number; items: { detail?: string }[] }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const store = await import("@/lib/notify/store");
      const channel = store.createChannel({ name: "replicas", type: "webhook", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, signingKey: "a-long-random-signing-key-0123456789" }, "admin@test");
      if (channel.status !== "ok") throw new Error(JSON.stringify(channel));
      expect(store.createRule({ name: "all", events: ["cluster.unreachable"], minSeverity: "info", channelIds: [channel.channel.id] }, "admin@test").status).toBe("ok");
      const { insertEvents } = await import("@/lib/notify/emit");
      // 20 waves of 10 while both dispatchers poll; each event its own (no two share a dedupe key).
      const details: string[] = [];
      for (let wave = 0; wave < 20; wave++) {
        const events = Array.from({ length: 10 }, (_, i) => {
          const detail = `event ${wave * 10 + i}`;
          details.push(detail);
          return { type: "cluster.unreachable" as const, dedupeKey: `replicas-test/${detail}`, clusterId: clusterIds[i]!, detail, link: `/clusters/${clusterIds[i]}`, createdAt: new Date() };
        });
        insertEvents(temp.db, events);
        await sleep(100);
      }
      await waitFor("every event sent", 30_000, () => received.reduce((n, m) => n + m.count, 0) >= details.length);
      // A late duplicate would arrive within a dispatcher pass or two.
      await sleep(2000);
      expect(received.reduce((n, m) => n + m.count, 0)).toBe(details.length);
      expect(received.flatMap((m) => m.items.map((item) => item.detail)).sort()).toEqual([...details].sort());
      expect(received.length).toBeGreaterThan(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  it("SIGKILL one: within 30 s the survivor observes every cluster, removes the dead row and takes its leases", async () => {
    const killedAt = Date.now();
    await processes.get("replica-a")!.kill();
    const { elapsedMs } = await waitFor("the survivor observing every cluster", 30_000, () => {
      const rows = checks();
      return rows.length === CLUSTERS && rows.every((r) => r.checkedAt > killedAt && r.observedBy === "replica-b");
    });
    expect(elapsedMs).toBeLessThan(30_000);
    console.info(`the survivor observed every cluster ${(elapsedMs / 1000).toFixed(1)} s after the SIGKILL`);
    await waitFor("the dead replica's row removed and both leases held by the survivor", 30_000, () => {
      const rows = temp.db.select().from(replicaSchema.replicas).all();
      const leases = temp.db.select().from(replicaSchema.leases).all();
      return rows.length === 1 && rows[0]!.id === "replica-b" && leases.length === 2 && leases.every((l) => l.holder === "replica-b" && l.expiresAt.getTime() > Date.now());
    });
    // And it keeps observing all of them, once per interval, from now on.
    const since = Date.now();
    await waitFor("a second round by the survivor", 2 * INTERVAL_S * 1000 + 5000, () => checks().every((r) => r.checkedAt > since && r.observedBy === "replica-b"));
  }, 120_000);

  it("a rollout whose replica is SIGKILLed mid-way is finished by the other from the database, every cluster applied once", async () => {
    startReplica("replica-c");
    await waitFor("replica-c live", 90_000, () => temp.db.select().from(replicaSchema.replicas).all().length === 2);
    const [{ createConfiguration }, { startRollout }, windows, configurations] = await Promise.all([import("@/lib/configurations/store"), import("@/lib/push/rollouts"), import("@/db/schema-windows"), import("@/db/schema-configurations")]);
    const targets = clusterIds.slice(0, 10);
    const created = createConfiguration(
      { name: "replicated", scope: "cluster", source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, interval: "1m" }, kustomizations: [{ name: "apps", path: "./apps" }], targets: { clusterIds: targets } },
      { author: "test" },
    );
    if (created.status !== "ok") throw new Error(JSON.stringify(created));
    const configurationId = created.configuration.id;
    // A deny window open for 30 s holds every row: the rollout is running, nothing applied, when its replica dies.
    const windowEnds = Date.now() + 30_000;
    temp.db.insert(windows.maintenanceWindows).values({ id: "hold", name: "hold", kind: "deny", selector: {}, startsAt: new Date(Date.now() - 60_000), endsAt: new Date(windowEnds), createdBy: "test", createdAt: new Date() }).run();
    // Recorded here, run by neither on request: a replica's resumer takes the drain up.
    const started = startRollout(configurationId, created.version, { actor: { id: null, email: "test", role: null }, clusterIds: targets });
    if (started.status !== "ok") throw new Error(JSON.stringify(started));
    const lease = () => temp.db.select().from(replicaSchema.leases).all().find((l) => l.name === `rollout:${configurationId}` && l.expiresAt.getTime() > Date.now());
    const rows = () => temp.db.select().from(configurations.rolloutClusters).all().filter((r) => r.rolloutId === started.rolloutId);
    const { value: holder } = await waitFor("a replica draining the rollout", 20_000, () => lease()?.holder);
    await waitFor("its rows held by the window", 10_000, () => rows().every((r) => r.state === "pending" && r.reason?.includes("deny window hold")));
    const survivor = holder === "replica-b" ? "replica-c" : "replica-b";
    await processes.get(holder)!.kill();
    await waitFor("the survivor draining the rollout", 30_000, () => lease()?.holder === survivor);
    await waitFor("the rollout finished", 60_000, () => temp.db.select().from(configurations.rollouts).all().find((r) => r.id === started.rolloutId)?.state === "done");
    const final = rows();
    expect(final).toHaveLength(targets.length);
    for (const row of final) {
      expect(row.state, row.clusterId).toBe("applied");
      expect(row.attempts, row.clusterId).toBe(1);
      expect(row.startedAt!.getTime(), row.clusterId).toBeGreaterThanOrEqual(windowEnds - 1000);
    }
  }, 240_000);
});
