import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditActor } from "@/lib/audit";
import { startHarness, type Harness } from "@/test-support/harness";
import { useTempDatabase } from "@/test-support/temp-db";

// Issue 14, maintenance windows: a push never reaches a cluster while a deny window that matches
// it is open (or outside its allow windows); its row waits, saying which window and until when,
// and applies when the window closes, when the window is deleted, or when an admin overrides it.
// Two real API servers: "prod" (env=prod, under the windows) and "dev" (never held).
let harness: Harness;
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("@/lib/configurations/store");
let rollouts: typeof import("./rollouts");
let run: typeof import("./run");
let windows: typeof import("@/lib/windows/store");
let override: typeof import("./window-override");
let prod: string;
let dev: string;
const actor: AuditActor = { id: "u1", email: "admin@example.com", role: "admin" };
const settings = { retry: { retries: 1, baseMs: 100, maxMs: 300 } };
const KUSTOMIZATION = "kustomize.toolkit.fluxcd.io/v1";

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  harness = await startHarness({ clusters: 2, name: "windows", standIn: false, git: false });
  [store, rollouts, run, windows, override] = await Promise.all([import("@/lib/configurations/store"), import("./rollouts"), import("./run"), import("@/lib/windows/store"), import("./window-override")]);
  const { insertCluster } = await import("@/lib/inventory/registry");
  const register = (index: number, env: string) => {
    const cluster = harness.clusters[index]!;
    const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
    return insertCluster({ name: `${cluster.name}-${env}`, displayName: cluster.name, labels: { env, fleet: "windows" }, authMethod: "token", credentials, createdBy: "test" }, null).id;
  };
  prod = register(0, "prod");
  dev = register(1, "dev");
});

afterAll(async () => {
  await harness?.stop();
  temp?.cleanup();
});

function save(version: string, id?: string): { id: string; version: number } {
  const input = {
    name: "held",
    scope: "cluster",
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" }, interval: "1m" },
    kustomizations: [{ name: "apps", path: `apps/${version}` }],
    targets: { selector: { matchLabels: { fleet: "windows" } } },
  };
  const result = id ? store.updateConfiguration(id, input, { author: actor.email }) : store.createConfiguration(input, { author: actor.email });
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return { id: result.configuration.id, version: result.version };
}

function start(id: string, version: number): string {
  const started = rollouts.startRollout(id, version, { actor });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  return started.rolloutId;
}

const rowOf = (rolloutId: string, clusterId: string) => rollouts.getRolloutProgress(rolloutId)?.clusters.find((row) => row.clusterId === clusterId);

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The path the cluster's Kustomization runs, or undefined when it has none. */
async function pathOn(clusterId: string): Promise<string | undefined> {
  const live = await harness.clusters[clusterId === prod ? 0 : 1]!.rest().get(KUSTOMIZATION, "Kustomization", "flux-system", "held-apps");
  return (live?.spec as { path?: string } | undefined)?.path;
}

/** A one-off deny window for env=prod, open from a minute ago for `seconds` more. */
function freeze(name: string, seconds: number) {
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const created = windows.createWindow({ name, kind: "deny", selector: "env=prod", schedule: "once", startsAt: iso(Date.now() - 60_000), endsAt: iso(Date.now() + seconds * 1000), timeZone: "UTC", reason: "test freeze" }, actor.email);
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  return created.window;
}

describe("maintenance windows hold pushes", () => {
  it("a deny window holds the prod cluster's row, saying until when, and the row applies when the window closes", async () => {
    const window = freeze("short-freeze", 4);
    const v1 = save("v1");
    const rolloutId = start(v1.id, v1.version);
    const finished = run.runRollout(rolloutId, settings);
    await until("dev applied", () => rowOf(rolloutId, dev)?.state === "applied");
    await until("prod held", () => rowOf(rolloutId, prod)?.reason?.startsWith("held:") === true);
    expect(rowOf(rolloutId, prod)).toMatchObject({ state: "pending", reason: `held: deny window short-freeze is open until ${window.endsAt!.toISOString().slice(0, 16).replace("T", " ")} UTC` });
    expect(await pathOn(prod)).toBeUndefined();
    expect(await pathOn(dev)).toBe("./apps/v1");

    const progress = await finished;
    expect(Date.now()).toBeGreaterThanOrEqual(window.endsAt!.getTime());
    expect(progress?.clusters.map((row) => [row.clusterId === prod ? "prod" : "dev", row.state])).toEqual(expect.arrayContaining([["prod", "applied"], ["dev", "applied"]]));
    expect(await pathOn(prod)).toBe("./apps/v1");
    windows.deleteWindow(window.id);
  });

  it("a newer push supersedes the held row; deleting the window lets the newer one through at once", async () => {
    const window = freeze("long-freeze", 3600);
    const { id } = store.findConfigurationByName("held")!;
    const v2 = save("v2", id);
    const second = start(v2.id, v2.version);
    const secondDone = run.runRollout(second, settings);
    await until("v2 held on prod", () => rowOf(second, prod)?.reason?.startsWith("held: deny window long-freeze") === true);
    const v3 = save("v3", id);
    const third = start(v3.id, v3.version);
    const thirdDone = run.runRollout(third, settings);
    // The older push ends at once: its held row is superseded, not left waiting an hour.
    expect((await secondDone)?.clusters.find((row) => row.clusterId === prod)).toMatchObject({ state: "superseded" });
    await until("v3 held on prod", () => rowOf(third, prod)?.reason?.startsWith("held: deny window long-freeze") === true);
    expect(await pathOn(prod)).toBe("./apps/v1");
    const started = Date.now();
    windows.deleteWindow(window.id);
    run.wakeHeldRollouts();
    expect((await thirdDone)?.clusters.find((row) => row.clusterId === prod)).toMatchObject({ state: "applied" });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await pathOn(prod)).toBe("./apps/v3");
  });

  it("an admin's override, with a reason, lets one held push through a freeze and is audited", async () => {
    const window = freeze("override-freeze", 3600);
    const { id } = store.findConfigurationByName("held")!;
    const v4 = save("v4", id);
    const rolloutId = start(v4.id, v4.version);
    const done = run.runRollout(rolloutId, settings);
    await until("v4 held on prod", () => rowOf(rolloutId, prod)?.reason?.startsWith("held:") === true);
    expect(override.overrideWindows(rolloutId, actor, "  ")).toEqual({ status: "invalid", fieldErrors: { reason: "is required: say why this push may not wait for its window" } });
    expect(override.overrideWindows(rolloutId, actor, "hotfix for CVE-2026-1234")).toEqual({ status: "ok" });
    expect((await done)?.clusters.find((row) => row.clusterId === prod)).toMatchObject({ state: "applied" });
    expect(await pathOn(prod)).toBe("./apps/v4");
    const { auditLog } = await import("@/db/schema");
    const records = temp.db.select().from(auditLog).all().filter((r) => r.action === "rollout.window-override");
    expect(records.map((r) => [r.actorEmail, JSON.parse(r.details).reason])).toEqual([["admin@example.com", "hotfix for CVE-2026-1234"]]);
    // The window still holds the next push.
    const v5 = save("v5", id);
    const next = start(v5.id, v5.version);
    void run.runRollout(next, settings);
    await until("v5 held on prod", () => rowOf(next, prod)?.reason?.startsWith("held: deny window override-freeze") === true);
    windows.deleteWindow(window.id);
    run.wakeHeldRollouts();
    await until("v5 applied on prod", () => rowOf(next, prod)?.state === "applied");
  });
});
