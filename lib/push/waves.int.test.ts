import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleetFixture, type FleetFixture } from "@/test-support/fleet-fixture";

// Issue 14, waves: a push goes dev, then staging, then prod, each wave gated on the status the
// observation loop reads from real API servers (Flux stand-in), with a soak time, an approval
// by a second person, a halt that says which cluster and why, abort with rollback, and a
// restart in the middle of a rollout that goes on from its stored wave.
let fleet: FleetFixture;
let rollouts: typeof import("./rollouts");
let run: typeof import("./run");
let control: typeof import("./rollout-control");
let loop: typeof import("@/lib/observe/loop");
let dev: string;
let staging: string;
let prod: string;
const second = { id: "u2", email: "lead@example.com", role: "operator" as const };
const settings = { retry: { retries: 1, baseMs: 100, maxMs: 300 } };
const KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/v1";
const ENVS = ["dev", "staging", "prod"];

beforeAll(async () => {
  process.env.FLEETLINE_GATE_POLL_MS = "200";
  fleet = await startFleetFixture({ clusters: 3, name: "waves", labels: (index) => ({ env: ENVS[index]!, fleet: "waves" }) });
  [dev, staging, prod] = fleet.clusterIds as [string, string, string];
  [rollouts, run, control, loop] = await Promise.all([import("./rollouts"), import("./run"), import("./rollout-control"), import("@/lib/observe/loop")]);
  sweeper = sweep();
}, 120_000);

afterAll(async () => {
  sweeping = false;
  await sweeper;
  await fleet?.stop();
});

// The observation loop's part, as the server runs it in the background: sweep every 300 ms.
let sweeping = true;
let sweeper: Promise<void> | undefined;
async function sweep(): Promise<void> {
  while (sweeping) {
    await loop.runStatusSweep({ gitMaxAgeMs: 0, timeoutMs: 10_000 }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const env = (value: string) => ({ matchLabels: { env: value } });

function save(name: string, description: string, strategy: unknown, id?: string) {
  return fleet.save(
    {
      name,
      scope: "cluster",
      description,
      source: { kind: "GitRepository", url: fleet.harness.sample!.repo.url, ref: { type: "branch", value: "main" }, interval: "10m" },
      kustomizations: [{ name: "infra", path: "./infrastructure", prune: true }],
      targets: { selector: { matchLabels: { fleet: "waves" } } },
      strategy,
    },
    id,
  );
}

function start(id: string, version: number): string {
  const started = rollouts.startRollout(id, version, { actor: fleet.actor });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  return started.rolloutId;
}

const progress = (rolloutId: string) => rollouts.getRolloutProgress(rolloutId)!;
const rowOf = (rolloutId: string, clusterId: string) => progress(rolloutId).clusters.find((row) => row.clusterId === clusterId)!;

async function until(what: string, check: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The fleetline.io/version annotation of the configuration's Kustomization on a cluster. */
async function versionOn(clusterId: string, name: string): Promise<string | undefined> {
  const cluster = fleet.harness.clusters[fleet.clusterIds.indexOf(clusterId)]!;
  const live = await cluster.rest().get(KUSTOMIZATION, "Kustomization", "flux-system", `${name}-infra`);
  return live?.metadata.annotations?.["fleetline.io/version"];
}

describe("rollout waves", () => {
  it("dev, then staging, then prod: each wave waits for the previous one Compliant for its soak, and a second person approves prod", async () => {
    const strategy = { waves: [{ name: "dev", selector: env("dev"), soakSeconds: 1 }, { name: "staging", selector: env("staging"), soakSeconds: 0, approval: "second-person" }, { name: "prod" }] };
    const v1 = save("ordered", "first", strategy);
    const rolloutId = start(v1.id, v1.version);
    expect(progress(rolloutId).control.waves.map((w) => [w.name, w.size])).toEqual([["dev", 1], ["staging", 1], ["prod", 1]]);
    const done = run.runRollout(rolloutId, settings);

    await until("dev's gate", () => progress(rolloutId).control.phase === "gate" && progress(rolloutId).control.current === 0);
    expect(rowOf(rolloutId, dev).state).toBe("applied");
    expect([rowOf(rolloutId, staging).state, rowOf(rolloutId, prod).state]).toEqual(["pending", "pending"]);
    expect(await versionOn(staging, "ordered")).toBeUndefined();

    await until("staging waiting for approval", () => progress(rolloutId).control.phase === "approval" && progress(rolloutId).control.current === 1, 60_000);
    const atApproval = progress(rolloutId);
    expect(atApproval.control.gate?.message).toMatch(/^all 1 of 1 clusters Compliant on v1; waiting for a second person/);
    expect(rowOf(rolloutId, prod).state).toBe("pending");
    const devRow = rowOf(rolloutId, dev);
    const stagingRow = rowOf(rolloutId, staging);
    // The gate's soak: staging started only once dev had stayed Compliant for a second.
    expect(stagingRow.startedAt!.getTime() - devRow.finishedAt!.getTime()).toBeGreaterThanOrEqual(1000);

    expect(control.approveWave(rolloutId, fleet.actor)).toMatchObject({ status: "refused", message: expect.stringContaining("needs a second person") });
    expect(progress(rolloutId).control.phase).toBe("approval");
    expect(control.approveWave(rolloutId, second)).toMatchObject({ status: "ok", message: "Approved: prod starts." });
    const final = (await done)!;
    expect(final.state).toBe("done");
    expect(final.control.approvals).toEqual([{ wave: 1, by: "lead@example.com", at: expect.any(String) }]);
    expect(final.clusters.map((row) => row.state)).toEqual(["applied", "applied", "applied"]);
    expect(rowOf(rolloutId, prod).startedAt!.getTime()).toBeGreaterThan(stagingRow.finishedAt!.getTime());
    for (const cluster of [dev, staging, prod]) expect(await versionOn(cluster, "ordered")).toBe("1");
    const audit = fleet.temp.db.all<{ action: string; outcome: string; actor_email: string }>(
      (await import("drizzle-orm")).sql`select action, outcome, actor_email from audit_log where action = 'rollout.approve' order by id`,
    );
    expect(audit.map((a) => [a.outcome, a.actor_email])).toEqual([["denied", "op@example.com"], ["success", "lead@example.com"]]);
  }, 120_000);

  it("a gate halts on a failing cluster, saying which and why, and goes on once the cluster recovers", async () => {
    const strategy = { waves: [{ name: "dev", selector: env("dev"), soakSeconds: 0 }, { name: "rest" }] };
    const v1 = save("halting", "first", strategy);
    fleet.harness.flux[0]!.fail("Kustomization", "flux-system", "halting-infra", "injected: health check failed for Deployment apps/podinfo");
    const rolloutId = start(v1.id, v1.version);
    const done = run.runRollout(rolloutId, settings);
    await until("the halt", () => progress(rolloutId).control.phase === "halted");
    const halted = progress(rolloutId).control;
    expect(halted.gate?.message).toMatch(/^halted: 1 of 1 clusters failing, more than the gate allows \(0\): waves-1 \(Non-Compliant: Kustomization\/halting-infra: ReconciliationFailed/);
    expect(halted.gate?.failing).toEqual([expect.objectContaining({ cluster: "waves-1", state: "Non-Compliant" })]);
    expect([rowOf(rolloutId, staging).state, rowOf(rolloutId, prod).state]).toEqual(["pending", "pending"]);
    // It stays halted while the cluster fails.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(progress(rolloutId).control.phase).toBe("halted");
    expect(await versionOn(prod, "halting")).toBeUndefined();

    fleet.harness.flux[0]!.recover("Kustomization", "flux-system", "halting-infra");
    const final = (await done)!;
    expect(final.state).toBe("done");
    expect(final.clusters.map((row) => row.state)).toEqual(["applied", "applied", "applied"]);
    expect(await versionOn(prod, "halting")).toBe("1");
  }, 120_000);

  it("abort with rollback: the cluster that got the new version goes back to the previous one, the others never get it", async () => {
    const strategy = { waves: [{ name: "dev", selector: env("dev"), soakSeconds: 3600 }, { name: "rest" }] };
    const v1 = save("aborted", "first", undefined);
    await fleet.push(v1.id, v1.version);
    const v2 = save("aborted", "second", strategy, v1.id);
    const rolloutId = start(v2.id, v2.version);
    const done = run.runRollout(rolloutId, settings);
    await until("dev soaking", () => progress(rolloutId).control.gate?.passingSince != null);
    expect(await versionOn(dev, "aborted")).toBe("2");
    expect(control.pauseRollout(rolloutId, fleet.actor)).toMatchObject({ status: "ok" });
    const aborted = control.abortRollout(rolloutId, fleet.actor, { rollback: true });
    expect(aborted).toMatchObject({ status: "ok", message: "Aborted; v1 goes back to the clusters that got v2.", rolloutId: expect.any(String) });
    const final = (await done)!;
    expect(final.state).toBe("aborted");
    expect(final.clusters.map((row) => [row.clusterId === dev ? "dev" : "other", row.state])).toEqual(expect.arrayContaining([["dev", "applied"], ["other", "aborted"], ["other", "aborted"]]));
    const rollback = (await run.runRollout(aborted.status === "ok" ? aborted.rolloutId! : ""))!;
    expect(rollback).toMatchObject({ trigger: "rollback", version: 1, state: "done" });
    expect(rollback.clusters.map((row) => [row.clusterId, row.state])).toEqual([[dev, "applied"]]);
    for (const cluster of [dev, staging, prod]) expect(await versionOn(cluster, "aborted")).toBe("1");
    const { configurations } = await import("@/db/schema-configurations");
    expect(fleet.temp.db.select().from(configurations).all().find((c) => c.id === v1.id)?.pushedVersion).toBe(1);
  }, 120_000);

  it("a portal process killed (SIGKILL) during a wave's soak: the next one goes on from the stored gate, applying nothing twice", async () => {
    const { spawn } = await import("node:child_process");
    // A soak long enough that the test sees it start and kills the process before it ends.
    const strategy = { waves: [{ name: "dev", selector: env("dev"), soakSeconds: 5 }, { name: "rest" }] };
    const v1 = save("killed", "first", strategy);
    const rolloutId = start(v1.id, v1.version);
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "test-support/cli/run-rollout.ts", rolloutId], {
      env: { ...process.env, FLEETLINE_BACKGROUND: "off", FLEETLINE_GATE_POLL_MS: "200" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    try {
      // The child loads the app's modules cold (tsx): on a loaded CI machine that alone took over a minute.
      await until("dev soaking in the other process", () => progress(rolloutId).control.gate?.passingSince != null, 240_000).catch((error: Error) => {
        throw new Error(`${error.message}; the process said: ${output.slice(-2000) || "nothing"}; rollout: ${JSON.stringify(progress(rolloutId).control)}`);
      });
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
    } finally {
      child.kill("SIGKILL");
    }
    const soakStarted = Date.parse(progress(rolloutId).control.gate!.passingSince!);
    expect(progress(rolloutId)).toMatchObject({ state: "running", control: { current: 0, phase: "gate" } });
    expect([rowOf(rolloutId, staging).state, rowOf(rolloutId, prod).state]).toEqual(["pending", "pending"]);

    const report = await run.resumeInterruptedRollouts(settings);
    expect(report.resumed).toContain(rolloutId);
    const final = progress(rolloutId);
    expect(final.state).toBe("done");
    // Dev was applied once, by the killed process; the soak counted from when it started there.
    expect(rowOf(rolloutId, dev).attempts).toBe(1);
    expect(rowOf(rolloutId, staging).startedAt!.getTime()).toBeGreaterThanOrEqual(soakStarted + 5000);
    expect(final.clusters.map((row) => row.state)).toEqual(["applied", "applied", "applied"]);
    for (const cluster of [dev, staging, prod]) expect(await versionOn(cluster, "killed")).toBe("1");
  }, 300_000);

  it("a deny window holds the wave of the clusters it matches, saying until when, and releases it when it ends", async () => {
    const windows = await import("@/lib/windows/store");
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const freeze = (name: string, endsInMs: number) => {
      const created = windows.createWindow({ name, kind: "deny", selector: "env=prod", schedule: "once", startsAt: iso(Date.now() - 60_000), endsAt: iso(Date.now() + endsInMs), timeZone: "UTC", reason: "test freeze" }, "admin@example.com");
      if (created.status !== "ok") throw new Error(JSON.stringify(created));
      return created.window;
    };
    const long = freeze("prod-freeze", 3_600_000);
    // Dev first, then the rest: staging at once, prod held for as long as the freeze lasts.
    const strategy = { waves: [{ name: "dev", selector: env("dev"), soakSeconds: 0 }, { name: "rest" }] };
    const v1 = save("frozen", "first", strategy);
    const rolloutId = start(v1.id, v1.version);
    const done = run.runRollout(rolloutId, settings);
    await until("prod held in the second wave", () => progress(rolloutId).control.current === 1 && rowOf(rolloutId, prod).reason?.startsWith("held:") === true, 180_000);
    expect(rowOf(rolloutId, dev).state).toBe("applied");
    expect(rowOf(rolloutId, prod)).toMatchObject({ state: "pending", reason: `held: deny window prod-freeze is open until ${long.endsAt!.toISOString().slice(0, 16).replace("T", " ")} UTC` });
    expect(await versionOn(prod, "frozen")).toBeUndefined();
    // The freeze is cut short: replaced by one that ends in three seconds (the settings action wakes held rollouts).
    const short = freeze("short-freeze", 3000);
    windows.deleteWindow(long.id);
    run.wakeHeldRollouts();
    await until("prod held by the shorter freeze", () => rowOf(rolloutId, prod).reason?.startsWith("held: deny window short-freeze") === true || rowOf(rolloutId, prod).state !== "pending");
    const final = (await done)!;
    expect(rowOf(rolloutId, prod).startedAt!.getTime()).toBeGreaterThanOrEqual(short.endsAt!.getTime());
    expect(final.clusters.map((row) => row.state)).toEqual(["applied", "applied", "applied"]);
    windows.deleteWindow(short.id);
  }, 300_000);

  it("a restart in the middle of a rollout goes on from its stored wave: applied waves are not applied again", async () => {
    const { and, eq } = await import("drizzle-orm");
    const { rolloutClusters, rollouts: table } = await import("@/db/schema-configurations");
    const strategy = { waves: [{ name: "dev", selector: env("dev"), soakSeconds: 0 }, { name: "staging", selector: env("staging"), soakSeconds: 0 }, { name: "prod" }] };
    const v1 = save("restarted", "first", strategy);
    const rolloutId = start(v1.id, v1.version);
    // As a crash leaves it: dev applied and past its gate, staging's cluster being applied.
    const stored = progress(rolloutId).control;
    fleet.temp.db.update(table).set({ control: { ...stored, current: 1, phase: "applying" } }).where(eq(table.id, rolloutId)).run();
    fleet.temp.db.update(rolloutClusters).set({ state: "applied", attempts: 1, finishedAt: new Date() }).where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.clusterId, dev))).run();
    fleet.temp.db.update(rolloutClusters).set({ state: "applying", attempts: 1 }).where(and(eq(rolloutClusters.rolloutId, rolloutId), eq(rolloutClusters.clusterId, staging))).run();
    const report = await run.resumeInterruptedRollouts(settings);
    expect(report.resumed).toContain(rolloutId);
    const final = progress(rolloutId);
    expect(final.state).toBe("done");
    expect(final.clusters.map((row) => [ENVS[fleet.clusterIds.indexOf(row.clusterId)], row.state, row.attempts])).toEqual([["dev", "applied", 1], ["staging", "applied", 2], ["prod", "applied", 1]]);
    // Dev was never applied by the resumed run: the crash had recorded it applied, so it was not touched.
    expect(await versionOn(dev, "restarted")).toBeUndefined();
    expect(await versionOn(staging, "restarted")).toBe("1");
    expect(await versionOn(prod, "restarted")).toBe("1");
  }, 120_000);
});
