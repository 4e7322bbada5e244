import "server-only";
import { Worker } from "node:worker_threads";
import { toDiffHunks, WORKER_DIFF_BOUNDS, type DiffBounds, type DiffHunk } from "./text-diff";

/**
 * Big diffs (a configuration's versions, thousands of lines of Helm values) run in one worker
 * thread, so the server's event loop keeps answering /api/health, pages and the background
 * loops while they run (hardening case 28). The worker is plain CommonJS given as source:
 * no bundler is involved, and it needs only the `diff` package.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { structuredPatch } = require("diff");
parentPort.on("message", ({ id, oldText, newText, context, bounds }) => {
  let hunks = null;
  if (oldText.length + newText.length <= bounds.maxBytes) {
    const patch = structuredPatch("before", "after", oldText, newText, "", "", { context, maxEditLength: bounds.maxEditLength, timeout: bounds.timeoutMs });
    hunks = patch ? patch.hunks : null;
  }
  parentPort.postMessage({ id, hunks });
});
`;

// A diff that has not answered well past its own timeout means a stuck worker: it is replaced.
const WATCHDOG_GRACE_MS = 10_000;

type Pending = { resolve: (hunks: DiffHunk[] | null) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
type State = { worker?: Worker; nextId: number; pending: Map<number, Pending> };
const globalForDiff = globalThis as unknown as { fleetlineDiffWorker?: State };
const state: State = (globalForDiff.fleetlineDiffWorker ??= { nextId: 1, pending: new Map() });

function failAll(error: Error): void {
  for (const [id, pending] of state.pending) {
    clearTimeout(pending.timer);
    pending.reject(error);
    state.pending.delete(id);
  }
}

function worker(): Worker {
  if (state.worker) return state.worker;
  const created = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  created.unref();
  created.on("message", ({ id, hunks }: { id: number; hunks: Parameters<typeof toDiffHunks>[0] | null }) => {
    const pending = state.pending.get(id);
    if (!pending) return;
    state.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(hunks ? toDiffHunks(hunks) : null);
  });
  const gone = (error: Error) => {
    if (state.worker === created) delete state.worker;
    failAll(error);
  };
  created.on("error", gone);
  created.on("exit", () => gone(new Error("the diff worker stopped")));
  state.worker = created;
  return created;
}

/** Stops the worker (tests; a new one starts on the next diff). */
export function stopDiffWorker(): void {
  const current = state.worker;
  delete state.worker;
  void current?.terminate();
}

/**
 * Unified-diff hunks computed off the event loop; null when the texts are too large or too
 * different to diff within the bounds ("too large to show as a diff"), or the worker failed.
 */
export function diffOffThread(oldText: string, newText: string, context = 3, bounds: DiffBounds = WORKER_DIFF_BOUNDS): Promise<DiffHunk[] | null> {
  if (oldText === newText) return Promise.resolve([]);
  if (oldText.length + newText.length > bounds.maxBytes) return Promise.resolve(null);
  return new Promise<DiffHunk[] | null>((resolve, reject) => {
    const id = state.nextId++;
    const timer = setTimeout(() => {
      // Stuck: replace the worker; every diff it held is reported too large rather than hanging.
      stopDiffWorker();
      failAll(new Error("the diff took too long"));
    }, bounds.timeoutMs + WATCHDOG_GRACE_MS);
    timer.unref();
    state.pending.set(id, { resolve, reject, timer });
    worker().postMessage({ id, oldText, newText, context, bounds });
  }).catch(() => null);
}
