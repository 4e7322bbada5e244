import "server-only";
import { ArgoRenderError } from "@/lib/reconcilers/argo/render";
import { DecryptionError } from "@/lib/crypto";
import { CredentialUnavailableError } from "@/lib/credentials/store";
import type { Cluster } from "@/db/schema";
import { openCredentials } from "@/lib/inventory/credentials";
import { ClusterError, createClusterClient, type RetryOptions } from "@/lib/k8s/client";
import { errorMessage, log } from "@/lib/log";
import { redactText } from "@/lib/security/redact";
import { ObjectFailure, type ClusterStep } from "./apply";
import { withClusterSlot } from "@/lib/k8s/budget";
import { Deadline } from "@/lib/k8s/deadline";

export type PushSettings = {
  /** Clusters worked on at once. */
  concurrency: number;
  /** Everything done on one cluster (all objects, prune) must finish within this. */
  clusterTimeoutMs: number;
  /** Each request, also bounded by what is left of the cluster's budget. */
  requestTimeoutMs: number;
  /** Retries of 429, 5xx and failed connections, with jittered exponential backoff. */
  retry: RetryOptions;
};

export const DEFAULT_PUSH_SETTINGS: PushSettings = {
  concurrency: 16,
  clusterTimeoutMs: 30_000,
  requestTimeoutMs: 10_000,
  retry: { retries: 3, baseMs: 250, maxMs: 4000 },
};

export function pushSettings(overrides: Partial<PushSettings> = {}): PushSettings {
  return { ...DEFAULT_PUSH_SETTINGS, ...overrides, retry: { ...DEFAULT_PUSH_SETTINGS.retry, ...overrides.retry } };
}

/**
 * Runs `work` against one cluster within its time budget, in a slot of the process-wide cluster
 * budget (shared with the observation loop and drift views). The deadline starts once the slot is
 * taken, and cancels the request in flight when it passes.
 */
export function onCluster<T>(cluster: Pick<Cluster, "id" | "credentials">, settings: PushSettings, work: (step: ClusterStep) => Promise<T>): Promise<T> {
  return withClusterSlot(() => {
    const deadline = new Deadline(settings.clusterTimeoutMs);
    const run = async () => {
      const timeoutMs = Math.min(settings.requestTimeoutMs, settings.clusterTimeoutMs);
      const client = createClusterClient(openCredentials(cluster), { timeoutMs }).withSignal(deadline.signal);
      return work({ client, retry: settings.retry, deadline });
    };
    return deadline.race(run());
  });
}

/** A cluster the push will not touch (no reconciler, nothing renders for it): the message says why. */
export class PushRefused extends Error {
  override name = "PushRefused";
}

/** A short, secret-free reason for a row or a dry-run result. */
export function describeFailure(error: unknown, context: Record<string, unknown> = {}): string {
  const isExpected = [ObjectFailure, ClusterError, CredentialUnavailableError, PushRefused, ArgoRenderError].some((type) => error instanceof type);
  if (isExpected) return redactText((error as Error).message);
  if (error instanceof DecryptionError) return "the cluster's stored credentials could not be decrypted (was the encryption key changed?)";
  // Anything else is a bug or an unexpected library error: its text may hold anything, so it goes only to the log.
  log.error("push: unexpected error", { ...context, error: errorMessage(error) });
  return "unexpected error (details are in the server log)";
}
