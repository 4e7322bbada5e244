// A fleet for integration tests that need the app's data layer on top of the harness:
// a temporary database, harness clusters registered as Fleetline clusters, and helpers to
// save and push configurations the way the app does. Call before importing app modules.
import type { AuditActor } from "@/lib/audit";
import { startHarness, type Harness, type HarnessOptions } from "./harness";
// Renamed: the React hooks lint rule mistakes any use* call for a hook.
import { useTempDatabase as openTempDatabase } from "./temp-db";

export type FleetFixture = {
  harness: Harness;
  temp: Awaited<ReturnType<typeof openTempDatabase>>;
  /** Fleetline cluster ids, in harness order. */
  clusterIds: string[];
  actor: AuditActor;
  /** Creates (or, with an id, updates) a configuration; throws on a validation error. */
  save(spec: Record<string, unknown>, id?: string): { id: string; version: number };
  /** Starts a rollout and runs it to the end. */
  push(id: string, version: number, clusterIds?: string[]): Promise<NonNullable<Awaited<ReturnType<typeof import("@/lib/push/run").runRollout>>>>;
  /** Stores an HTTPS credential bound to the harness Git server's host. */
  createHttpsCredential(name: string, username: string, password: string): Promise<string>;
  stop(): Promise<void>;
};

export type FleetOptions = HarnessOptions & {
  labels?: (index: number) => Record<string, string>;
  /** Register the harness clusters with their admin tokens (default true). */
  register?: boolean;
};

export async function startFleetFixture(options: FleetOptions = {}): Promise<FleetFixture> {
  process.env.FLEETLINE_SECRET_KEY = "11".repeat(32);
  process.env.FLEETLINE_BACKGROUND = "off";
  process.env.FLEETLINE_ALLOW_LOCAL_SOURCES = "true";
  const temp = await openTempDatabase();
  const harness = await startHarness(options);
  const [store, rollouts, run, registry, credentials] = await Promise.all([
    import("@/lib/configurations/store"),
    import("@/lib/push/rollouts"),
    import("@/lib/push/run"),
    import("@/lib/inventory/registry"),
    import("@/lib/credentials/store"),
  ]);
  const actor: AuditActor = { id: "u1", email: "op@example.com", role: "operator" };
  const clusterIds = (options.register === false ? [] : harness.clusters).map((cluster, index) => {
    const credentials = { server: cluster.server, token: cluster.adminToken, caData: cluster.caData };
    const labels = options.labels?.(index) ?? { env: "prod" };
    return registry.insertCluster({ name: cluster.name, displayName: cluster.name, labels, authMethod: "token", credentials, createdBy: "test" }, null).id;
  });
  return {
    harness,
    temp,
    clusterIds,
    actor,
    save(spec, id) {
      const result = id ? store.updateConfiguration(id, spec, { author: actor.email }) : store.createConfiguration(spec, { author: actor.email });
      if (result.status !== "ok") throw new Error(JSON.stringify(result));
      return { id: result.configuration.id, version: result.version };
    },
    async push(id, version, ids) {
      const started = rollouts.startRollout(id, version, { actor, ...(ids ? { clusterIds: ids } : {}) });
      if (started.status !== "ok") throw new Error(JSON.stringify(started));
      const progress = await run.runRollout(started.rolloutId, { retry: { retries: 1, baseMs: 100, maxMs: 300 } });
      if (!progress) throw new Error("the rollout vanished");
      return progress;
    },
    async createHttpsCredential(name, username, password) {
      const created = await credentials.createCredential({ type: "https", name, host: "127.0.0.1", username, password }, { author: "admin" });
      if (created.status !== "ok") throw new Error(JSON.stringify(created));
      return created.credential.id;
    },
    async stop() {
      await harness.stop();
      temp.cleanup();
    },
  };
}
