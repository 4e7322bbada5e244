// Saving a version and pushing it, as the push tests drive a rollout end to end.
import type { AuditActor } from "@/lib/audit";
import type { RetryOptions } from "@/lib/k8s/retry";

type Store = typeof import("@/lib/configurations/store");
type Rollouts = typeof import("@/lib/push/rollouts");
type Run = typeof import("@/lib/push/run");

/** Creates the configuration (or a new version of it); a refusal fails the test with its field errors. */
export function saveVersion(store: Store, spec: Record<string, unknown>, author: string, id?: string): { id: string; version: number } {
  const result = id ? store.updateConfiguration(id, spec, { author }) : store.createConfiguration(spec, { author });
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return { id: result.configuration.id, version: result.version };
}

/** Starts a rollout of the version (to some clusters, or all its targets) and runs it to the end. */
export async function pushVersion(steps: { rollouts: Rollouts; run: Run }, id: string, version: number, actor: AuditActor, { clusterIds, retry }: { clusterIds?: string[]; retry: RetryOptions }) {
  const started = steps.rollouts.startRollout(id, version, { actor, ...(clusterIds ? { clusterIds } : {}) });
  if (started.status !== "ok") throw new Error(JSON.stringify(started));
  const progress = await steps.run.runRollout(started.rolloutId, { retry });
  if (!progress) throw new Error("no progress");
  return progress;
}
