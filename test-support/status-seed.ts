// Database-level seeding of status at fleet scale, for the status queries' tests and
// `bench:status`: clusters, configurations, targets, one status row per pair, the Flux
// objects behind each, a state history and some rollouts. Plain SQL in one transaction.
import type Database from "better-sqlite3";
import type { ComplianceState } from "@/db/schema-status";

export type SeedOptions = {
  clusters: number;
  configurations: number;
  /** State changes per pair spread over the last `historyDays` days. */
  historyPerPair?: number;
  historyDays?: number;
  rollouts?: number;
  now?: number;
};

export type Seeded = { clusterIds: string[]; configurationIds: string[] };

/** Deterministic: the same options give the same fleet (a tiny LCG instead of Math.random). */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function pickState(r: number): ComplianceState {
  if (r < 0.85) return "Compliant";
  if (r < 0.9) return "Non-Compliant";
  if (r < 0.94) return "Pending";
  if (r < 0.97) return "Unknown";
  return "Suspended";
}

function seededSpec(name: string): string {
  return JSON.stringify({
    name,
    scope: "cluster",
    namespace: "flux-system",
    description: "",
    suspend: false,
    source: { kind: "GitRepository", url: "https://github.com/acme/fleet.git", ref: { type: "branch", value: "main" }, interval: "10m", timeout: "60s" },
    kustomizations: [{ name: "apps", path: "./apps", dependsOn: [], interval: "10m", prune: false, force: false, wait: true, postBuild: { substitute: {} } }],
    helmReleases: [],
    targets: { clusterIds: [], selector: { matchLabels: {} } },
  });
}

export function seedStatus(sqlite: Database.Database, options: SeedOptions): Seeded {
  const now = options.now ?? Date.now();
  const rand = random(42);
  const clusterIds = Array.from({ length: options.clusters }, (_, i) => `cluster-${String(i).padStart(5, "0")}`);
  const configurationIds = Array.from({ length: options.configurations }, (_, i) => `config-${String(i).padStart(3, "0")}`);
  const historyPerPair = options.historyPerPair ?? 4;
  const historyMs = (options.historyDays ?? 30) * 86_400_000;
  const sha = (n: number) => n.toString(16).padStart(40, "0");
  const insert = {
    cluster: sqlite.prepare("insert into clusters (id, name, display_name, labels, server, auth_method, credentials, credentials_fingerprint, credentials_rotated_at, updated_at, created_by) values (?, ?, ?, ?, ?, 'token', 'seeded', 'seeded', ?, ?, 'seed')"),
    health: sqlite.prepare("insert into cluster_health (cluster_id, state, checked_at, last_seen_at, next_check_at) values (?, ?, ?, ?, ?)"),
    configuration: sqlite.prepare("insert into configurations (id, name, namespace, current_version, pushed_version, created_by, updated_at) values (?, ?, 'flux-system', 1, 1, 'seed', ?)"),
    // A pushed version whose selector matches every cluster: the pairs the dashboard and /compliance count.
    version: sqlite.prepare("insert into configuration_versions (configuration_id, version, spec, author, message, created_at) values (?, 1, ?, 'seed', '', ?)"),
    target: sqlite.prepare("insert into configuration_targets (configuration_id, cluster_id, reason, resolved_at) values (?, ?, 'selector', ?)"),
    status: sqlite.prepare(
      "insert into configuration_status (configuration_id, cluster_id, state, reason, message, expected_version, applied_version, source_revision, applied_revision, last_applied_at, has_config_drift, config_drift, has_revision_drift, behind_by, has_resource_drift, resource_drift_count, state_changed_at, observed_at, last_seen_at) values (?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?)",
    ),
    object: sqlite.prepare("insert into object_status (cluster_id, configuration_id, kind, namespace, name, state, ready, reason, message, revision, observed_at) values (?, ?, ?, 'flux-system', ?, ?, 'True', 'Succeeded', 'ok', ?, ?)"),
    history: sqlite.prepare("insert into configuration_status_history (configuration_id, cluster_id, at, state, previous_state, reason) values (?, ?, ?, ?, ?, ?)"),
    rollout: sqlite.prepare("insert into rollouts (id, sequence, configuration_id, version, trigger, state, created_by, actor, created_at) values (?, ?, ?, 1, 'push', 'done', 'seed', '{}', ?)"),
  };
  sqlite.transaction(() => {
    for (const [i, id] of clusterIds.entries()) {
      insert.cluster.run(id, id, id, JSON.stringify({ env: i % 2 ? "prod" : "dev" }), `https://10.0.${Math.floor(i / 250)}.${i % 250}:6443`, now, now);
      const unreachable = rand() < 0.02;
      insert.health.run(id, unreachable ? "unreachable" : "reachable", now, now - (unreachable ? 3_600_000 : 0), now + 60_000);
    }
    for (const [i, id] of configurationIds.entries()) {
      insert.configuration.run(id, `config-${i}`, now);
      insert.version.run(id, seededSpec(`config-${i}`), now);
    }
    for (const configurationId of configurationIds) {
      for (const clusterId of clusterIds) {
        insert.target.run(configurationId, clusterId, now);
        const state = pickState(rand());
        const drift = rand();
        const revision = `main@sha1:${sha(Math.floor(rand() * 5))}`;
        const reason = state === "Compliant" ? "GitRepository/x: Succeeded" : `Kustomization/${configurationId}-apps: ${state === "Non-Compliant" ? "BuildFailed" : "Progressing"}`;
        const observedAt = state === "Unknown" ? now - 600_000 : now - Math.floor(rand() * 30_000);
        insert.status.run(configurationId, clusterId, state, reason, state === "Compliant" ? null : "details", revision, revision, now - 3_600_000, drift < 0.03 ? 1 : 0, drift < 0.05 ? 1 : 0, drift < 0.05 ? 1 : 0, drift > 0.98 ? 1 : 0, drift > 0.98 ? 2 : 0, now - 3_600_000, observedAt, observedAt);
        for (const kind of ["GitRepository", "Kustomization", "Kustomization"]) insert.object.run(clusterId, configurationId, kind, `${configurationId}-${kind}-${rand().toString(36).slice(2, 6)}`, state, revision, now);
        let previous: string | null = null;
        for (let h = 0; h < historyPerPair; h++) {
          const next = h === historyPerPair - 1 ? state : pickState(rand());
          insert.history.run(configurationId, clusterId, now - historyMs + Math.floor(((h + rand()) / historyPerPair) * historyMs), next, previous, `reason ${next}`);
          previous = next;
        }
      }
    }
    for (let i = 0; i < (options.rollouts ?? 50); i++) insert.rollout.run(`rollout-${i}`, i + 1, configurationIds[i % configurationIds.length], now - (50 - i) * 60_000);
  })();
  return { clusterIds, configurationIds };
}
