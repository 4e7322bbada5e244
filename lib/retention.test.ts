import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Retention on a real SQLite file (issue 17): old rows go, in batches; what the trends, the
// configuration pages and signed-in users still need stays.
let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let retention: typeof import("./retention");
const DAY = 86_400_000;
const now = Date.UTC(2026, 11, 2, 12);
const ago = (days: number) => now - days * DAY;

beforeAll(async () => {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  temp = await useTempDatabase();
  retention = await import("./retention");
  const { insertCluster } = await import("@/lib/inventory/registry");
  const { createConfiguration } = await import("@/lib/configurations/store");
  const cluster = insertCluster({ name: "prod-1", displayName: "prod-1", labels: {}, authMethod: "token", credentials: { server: "https://127.0.0.1:1", token: "t" }, createdBy: "test" }, null).id;
  const created = createConfiguration({ name: "podinfo", scope: "cluster", source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } }, kustomizations: [{ name: "apps", path: "apps" }], targets: { selector: { matchLabels: { env: "prod" } } } }, { author: "test" });
  if (created.status !== "ok") throw new Error(JSON.stringify(created));
  const configuration = created.configuration.id;
  const sqlite = temp.db.$client;
  const audit = sqlite.prepare("insert into audit_log (at, actor_email, action, target_type, outcome) values (?, 'a@x', 'auth.login', 'user', 'success')");
  sqlite.transaction(() => {
    // 1,200 audit rows over 400 days: more than two batches to prune.
    for (let i = 0; i < 1200; i++) audit.run(ago(400 - i / 3));
  })();
  const history = sqlite.prepare("insert into configuration_status_history (configuration_id, cluster_id, at, state, previous_state) values (?, ?, ?, ?, ?)");
  history.run(configuration, cluster, ago(200), "Pending", null);
  history.run(configuration, cluster, ago(150), "Compliant", "Pending");
  const policy = sqlite.prepare("insert into policy_result_history (cluster_id, engine, policy, at, passing, previous_passing) values (?, 'gatekeeper', ?, ?, ?, ?)");
  policy.run(cluster, "K8sRequiredLabels/a", ago(120), 0, null);
  policy.run(cluster, "K8sRequiredLabels/a", ago(10), 1, 0);
  policy.run(cluster, "K8sRequiredLabels/b", ago(300), 1, null);
  const rollout = sqlite.prepare("insert into rollouts (id, sequence, configuration_id, version, trigger, state, created_by, actor, created_at, finished_at) values (?, ?, ?, 1, 'push', ?, 'a@x', '{}', ?, ?)");
  rollout.run("r-old", 1, configuration, "done", ago(300), ago(300));
  rollout.run("r-stuck", 2, configuration, "running", ago(250), null);
  rollout.run("r-last", 3, configuration, "done", ago(200), ago(200));
  sqlite.prepare("insert into rollout_clusters (rollout_id, cluster_id, action, state) values ('r-old', ?, 'apply', 'applied')").run(cluster);
  sqlite.prepare("insert into users (id, email, name, role, password_hash, created_at, updated_at) values ('u1', 'a@x', 'A', 'admin', 'x', ?, ?)").run(now, now);
  const session = sqlite.prepare("insert into sessions (id, user_id, created_at, expires_at, last_seen_at, revoked_at) values (?, 'u1', ?, ?, ?, ?)");
  session.run("s-expired-long-ago", ago(100), ago(60), ago(60), null);
  session.run("s-revoked-long-ago", ago(100), ago(-10), ago(60), ago(60));
  session.run("s-live", ago(1), ago(-1), ago(0), null);
  const throttle = sqlite.prepare("insert into login_throttle (key, failures, window_started_at, locked_until) values (?, 3, ?, ?)");
  throttle.run("old", ago(3), null);
  throttle.run("recent", now - 60_000, null);
});
afterAll(() => temp?.cleanup());

const ids = (table: string, column = "id") => (temp.db.$client.prepare(`select ${column} as v from ${table} order by 1`).all() as { v: unknown }[]).map((r) => r.v);

describe("retention", () => {
  it("prunes each table past its period, in batches, keeping each pair's newest history row, unfinished and latest rollouts, and live sessions", async () => {
    const removed = await retention.pruneOnce(now, 500);
    // 365 days of 400 at three rows a day: the oldest 35 days (105 rows) go.
    expect(removed.audit_log).toBe(105);
    expect(ids("audit_log").length).toBe(1095);
    // The pair's newest row stays although older than 90 days: the trend walks back from it.
    expect(ids("configuration_status_history", "at")).toEqual([ago(150)]);
    expect(ids("policy_result_history", "at")).toEqual([ago(300), ago(10)]);
    expect(ids("rollouts")).toEqual(["r-last", "r-stuck"]);
    expect(ids("rollout_clusters", "rollout_id")).toEqual([]);
    expect(ids("sessions")).toEqual(["s-live"]);
    expect(ids("login_throttle", "key")).toEqual(["recent"]);
    expect(await retention.pruneOnce(now, 500)).toMatchObject({ audit_log: 0, configuration_status_history: 0, rollouts: 0, sessions: 0 });
  });

  it("takes more than one batch when there is more than one batch to remove", async () => {
    const sqlite = temp.db.$client;
    const audit = sqlite.prepare("insert into audit_log (at, actor_email, action, target_type, outcome) values (?, 'a@x', 'auth.login', 'user', 'success')");
    sqlite.transaction(() => {
      for (let i = 0; i < 1234; i++) audit.run(ago(500));
    })();
    expect((await retention.pruneOnce(now, 100)).audit_log).toBe(1234);
  });
});
