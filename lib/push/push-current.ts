import "server-only";
import type { AuditActor } from "@/lib/audit";
import { getConfiguration } from "@/lib/configurations/store";
import { startRollout } from "./rollouts";
import { runRollout } from "./run";

export type PushCurrentResult =
  | { status: "ok"; rolloutId: string; version: number }
  | { status: "invalid"; fieldErrors: Record<string, string>; message: string }
  | { status: "not-found" };

/**
 * Pushes the configuration's current version to its targets (as resolved now), or re-pushes to
 * some of them; the rollout runs in the background. The page's push button and `POST
 * /api/v1/configurations/{id}/push` both come here.
 */
export function pushCurrentVersion(configurationId: string, actor: AuditActor, clusterIds?: readonly unknown[]): PushCurrentResult {
  const configuration = getConfiguration(configurationId);
  if (!configuration) return { status: "not-found" };
  const ids = clusterIds?.filter((id): id is string => typeof id === "string");
  const started = startRollout(configuration.id, configuration.currentVersion, { actor, trigger: "push", ...(ids?.length ? { clusterIds: ids } : {}) });
  if (started.status !== "ok") return started;
  void runRollout(started.rolloutId);
  return { status: "ok", rolloutId: started.rolloutId, version: configuration.currentVersion };
}
