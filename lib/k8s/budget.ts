import "server-only";
import { env } from "@/lib/env";

/**
 * One process-wide limit on concurrent cluster work. The observation loop, pushes, dry runs
 * and drift views each bound their own fan-out, but together they could still open hundreds
 * of connections at once; every per-cluster unit of work takes a slot here first.
 */

export type Semaphore = {
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
  readonly limit: number;
};

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be a positive integer");
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    limit,
  };
}

const globalForBudget = globalThis as unknown as { fleetlineClusterBudget?: Semaphore };

/** The shared budget (FLEETLINE_CLUSTER_WORK_LIMIT, default 64 clusters worked on at once). */
export function clusterBudget(): Semaphore {
  return (globalForBudget.fleetlineClusterBudget ??= createSemaphore(env().FLEETLINE_CLUSTER_WORK_LIMIT));
}

/** Runs one cluster's unit of work (a check, an apply, a dry run, a drift view) within the shared budget. */
export function withClusterSlot<T>(work: () => Promise<T>): Promise<T> {
  return clusterBudget().run(work);
}
