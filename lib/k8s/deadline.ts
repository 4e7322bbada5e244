import { ClusterError, formatDuration } from "./errors";

/**
 * A per-cluster time budget. The race ends the wait at the deadline; `check()` between
 * steps stops a cluster that ran out of time from sending further requests once its
 * in-flight one returns.
 */
export class Deadline {
  private readonly endsAt: number;
  private controller: AbortController | undefined;
  private abortTimer: NodeJS.Timeout | undefined;

  constructor(readonly ms: number) {
    this.endsAt = Date.now() + ms;
  }

  /**
   * Fires at the deadline with its error as the reason. A client bound to it
   * (`client.withSignal(deadline.signal)`) aborts its in-flight request then, so a
   * black-holed API server does not keep a socket and a pending promise after we gave up.
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      const remaining = this.remaining();
      if (remaining === 0) controller.abort(this.error());
      else (this.abortTimer = setTimeout(() => controller.abort(this.error()), remaining)).unref();
    }
    return this.controller.signal;
  }

  /**
   * The work it bounded is over: the signal will not fire. Without it each finished pass left a
   * timer that later built a timeout error for nothing (bench:fleet at rest, 2,000 clusters: a
   * few percent of the loop's CPU).
   */
  dispose(): void {
    clearTimeout(this.abortTimer);
    this.abortTimer = undefined;
    // Ended by the race at the deadline: what is still in flight is cancelled now, as it would have been.
    if (this.controller && !this.controller.signal.aborted && this.remaining() === 0) this.controller.abort(this.error());
  }

  remaining(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  check(): void {
    if (this.remaining() === 0) throw this.error();
  }

  error(): ClusterError {
    return new ClusterError("timeout", `the cluster did not finish within ${formatDuration(this.ms)}`);
  }

  race<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.error()), this.remaining());
    });
    // The losing promise may still settle later; its rejection must not go unhandled.
    work.catch(() => undefined);
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }
}
