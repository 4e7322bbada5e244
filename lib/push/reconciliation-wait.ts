import "server-only";
import type { RolloutClusterState } from "@/db/schema-configurations";
import { getRolloutProgress, type RolloutProgress } from "./rollouts";
import { abortableSleep } from "@/lib/abortable-sleep";

/*
 * A pipeline's "wait for reconciliation" (issue 16): after a push, wait until every target
 * runs the pushed version and is Compliant, reading the status rows the observation loop
 * writes (as the wave gate does) on a timer, never holding anything but a timer between looks.
 */

/** The longest wait a client may ask for; longer waits belong to a pipeline's own retry loop. */
export const MAX_WAIT_MS = 30 * 60_000;

// Rows that are no longer this rollout's business (as the wave gate counts them).
const OUT_OF_WAIT = new Set<RolloutClusterState>(["skipped", "superseded", "removed", "aborted"]);
const STUCK = new Set<RolloutClusterState>(["failed", "interrupted"]);

export type WaitCluster = { clusterId: string; cluster: string; push: RolloutClusterState; state: string; reason: string | null; appliedVersion: number | null };

export type WaitOutcome = {
  /** compliant: every target runs the version, Compliant; failed: the push failed somewhere and the rollout ended; timeout: time ran out; cancelled: the client went away. */
  result: "compliant" | "failed" | "timeout" | "cancelled";
  rolloutId: string;
  version: number;
  rolloutState: string;
  targets: number;
  compliant: number;
  /** The targets that are not there yet, with why (the push's reason when it failed, else the status's). */
  clusters: WaitCluster[];
};

/** Where a rollout stands for the wait; `settled` is false while the wait should go on. */
export function judgeReconciliation(progress: RolloutProgress): Pick<WaitOutcome, "result" | "targets" | "compliant" | "clusters"> & { settled: boolean } {
  const counted = progress.clusters.filter((c) => c.action !== "remove" && !OUT_OF_WAIT.has(c.state));
  const behind = counted.filter((c) => !(c.compliance === "Compliant" && c.appliedVersion === progress.version));
  const clusters = behind.map((c) => ({
    clusterId: c.clusterId,
    cluster: c.clusterName,
    push: c.state,
    state: STUCK.has(c.state) ? `push ${c.state}` : c.appliedVersion !== null && c.appliedVersion !== progress.version ? `runs v${c.appliedVersion}` : (c.compliance ?? "Unknown"),
    reason: STUCK.has(c.state) ? c.reason : (c.complianceReason ?? c.reason),
    appliedVersion: c.appliedVersion,
  }));
  const finished = progress.state !== "queued" && progress.state !== "running";
  const failed = finished && (progress.state === "aborted" || behind.some((c) => STUCK.has(c.state)));
  return { result: behind.length === 0 ? "compliant" : failed ? "failed" : "timeout", settled: behind.length === 0 || failed, targets: counted.length, compliant: counted.length - behind.length, clusters };
}

export type WaitOptions = { timeoutMs: number; pollMs: number; signal?: AbortSignal };

/** Polls the rollout's rows and status until it settles, the time runs out or the signal aborts. */
export async function waitForReconciliation(rolloutId: string, { timeoutMs, pollMs, signal }: WaitOptions): Promise<WaitOutcome | undefined> {
  const deadline = Date.now() + Math.min(timeoutMs, MAX_WAIT_MS);
  for (;;) {
    const progress = getRolloutProgress(rolloutId);
    if (!progress) return undefined;
    const verdict = judgeReconciliation(progress);
    const base = { rolloutId, version: progress.version, rolloutState: progress.state, targets: verdict.targets, compliant: verdict.compliant, clusters: verdict.clusters };
    if (verdict.settled) return { ...base, result: verdict.result };
    if (signal?.aborted) return { ...base, result: "cancelled" };
    const left = deadline - Date.now();
    if (left <= 0) return { ...base, result: "timeout" };
    await abortableSleep(Math.min(pollMs, left), signal);
  }
}
