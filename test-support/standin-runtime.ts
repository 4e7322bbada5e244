// The controller machinery the stand-ins share: one list+watch informer per
// kind (no polling, so an idle stand-in costs no CPU) and a work queue that
// reconciles each object serially, with per-object requeue timers.
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";
import { sleep } from "./process-guard";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export type KindHandler = {
  apiVersion: string;
  kind: string;
  /** Watch only this namespace (Argo CD Applications live in argocd). */
  namespace?: string;
  /** Reconciles a fresh copy of the object; returns when to look again (ms), or undefined for "only on events". */
  reconcile(obj: KubeObject): Promise<number | undefined>;
  /** Which watch events need a reconcile. Default: every ADDED and MODIFIED event. */
  needsReconcile?(type: EventType, obj: KubeObject, old: KubeObject | undefined): boolean;
  /** Side effects of events (enqueue dependents, prune on delete). */
  onEvent?(type: EventType, obj: KubeObject, old: KubeObject | undefined): void;
};

export const keyOf = (kind: string, namespace: string | undefined, name: string): string => `${kind}/${namespace ?? ""}/${name}`;

class Informer {
  readonly cache = new Map<string, KubeObject>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly rest: KubeRest,
    private readonly handler: KindHandler,
    private readonly emit: (type: EventType, obj: KubeObject, old: KubeObject | undefined) => void,
  ) {}

  async start(): Promise<void> {
    const resourceVersion = await this.relist();
    this.loop = this.watchLoop(resourceVersion);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async relist(): Promise<string> {
    const { items, resourceVersion } = await this.rest.list(this.handler.apiVersion, this.handler.kind, this.handler.namespace);
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item.kind, item.metadata.namespace, item.metadata.name);
      seen.add(key);
      const old = this.cache.get(key);
      this.cache.set(key, item);
      if (!old) this.emit("ADDED", item, undefined);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) this.emit("MODIFIED", item, old);
    }
    for (const [key, old] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit("DELETED", old, old);
    }
    return resourceVersion;
  }

  private async watchLoop(from: string): Promise<void> {
    let resourceVersion = from;
    const { signal } = this.abort;
    while (!signal.aborted) {
      let expired = false;
      const status = await this.rest
        .watch(this.handler.apiVersion, this.handler.kind, this.handler.namespace, resourceVersion, (event) => {
          if (event.type === "ERROR") {
            expired = true; // typically 410 Gone: the resource version is too old
            return;
          }
          resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
          if (event.type === "BOOKMARK") return;
          const obj = { ...event.object, apiVersion: this.handler.apiVersion, kind: this.handler.kind };
          const key = keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name);
          const old = this.cache.get(key);
          if (event.type === "DELETED") this.cache.delete(key);
          else this.cache.set(key, obj);
          this.emit(event.type, obj, old);
        }, signal)
        .catch(() => 0);
      if (signal.aborted) return;
      if (expired || status !== 200) {
        // Server restarting or gone (cluster stopped before us): back off, then list again.
        await sleep(status === 200 ? 100 : 1000);
        if (signal.aborted) return;
        resourceVersion = await this.relist().catch(() => resourceVersion);
      }
    }
  }
}

class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private stopped = false;
  private idle: (() => void) | undefined;

  constructor(
    private readonly handle: (key: string) => Promise<number | undefined>,
    private readonly concurrency: number,
  ) {}

  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      const pending = this.timers.get(key);
      if (pending && pending.at <= at) return;
      if (pending) clearTimeout(pending.timer);
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delayMs);
      timer.unref();
      this.timers.set(key, { at, timer });
      return;
    }
    if (this.active.has(key)) this.dirty.add(key); // run once more after the current pass
    else if (!this.queued.has(key)) {
      this.queued.add(key);
      this.ready.push(key);
      this.pump();
    }
  }

  /** When the queue next has work: now while it is working or has work waiting, else its earliest requeue; undefined when none is set. */
  nextWorkAt(): number | undefined {
    if (this.active.size > 0 || this.ready.length > 0) return Date.now();
    let next: number | undefined;
    for (const { at } of this.timers.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  private pump(): void {
    while (this.active.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      this.queued.delete(key);
      this.active.add(key);
      void this.handle(key)
        .then(
          (requeueMs) => requeueMs !== undefined && this.add(key, requeueMs),
          () => this.add(key, 1000),
        )
        .finally(() => {
          this.active.delete(key);
          if (this.dirty.delete(key)) this.add(key);
          if (this.active.size === 0) this.idle?.();
          this.pump();
        });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ready.length = 0;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.active.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }
}

export class StandInRuntime {
  private readonly handlers = new Map<string, KindHandler>();
  private readonly informers = new Map<string, Informer>();
  private readonly queue: WorkQueue;

  constructor(
    readonly rest: KubeRest,
    handlers: KindHandler[],
    concurrency = 4,
  ) {
    for (const handler of handlers) {
      this.handlers.set(handler.kind, handler);
      this.informers.set(handler.kind, new Informer(rest, handler, (type, obj, old) => this.onEvent(handler, type, obj, old)));
    }
    this.queue = new WorkQueue((key) => this.process(key), concurrency);
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.queue.stop();
  }

  /** When the stand-in next reconciles something of its own accord (WorkQueue.nextWorkAt). */
  nextWorkAt(): number | undefined {
    return this.queue.nextWorkAt();
  }

  enqueue(kind: string, namespace: string | undefined, name: string, delayMs = 0): void {
    this.queue.add(keyOf(kind, namespace, name), delayMs);
  }

  /** Objects of `kind` as last seen by the watch. */
  list(kind: string): KubeObject[] {
    return [...(this.informers.get(kind)?.cache.values() ?? [])];
  }

  handlerFor(kind: string): KindHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`the stand-in does not handle kind ${kind}`);
    return handler;
  }

  /** Polls the API (not the cache) until `predicate` holds; rejects with the last state seen on timeout. */
  async waitFor(
    kind: string,
    namespace: string,
    name: string,
    predicate: (obj: KubeObject) => boolean,
    timeoutMs = 30_000,
  ): Promise<KubeObject> {
    const { apiVersion } = this.handlerFor(kind);
    const deadline = Date.now() + timeoutMs;
    let last: KubeObject | undefined;
    while (Date.now() < deadline) {
      last = await this.rest.get(apiVersion, kind, namespace, name);
      if (last && predicate(last)) return last;
      await sleep(100);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${kind} ${namespace}/${name}; last status: ${JSON.stringify(last?.status ?? null)}`);
  }

  private onEvent(handler: KindHandler, type: EventType, obj: KubeObject, old: KubeObject | undefined): void {
    handler.onEvent?.(type, obj, old);
    if (type === "DELETED") return;
    if (handler.needsReconcile ? handler.needsReconcile(type, obj, old) : true) {
      this.enqueue(handler.kind, obj.metadata.namespace, obj.metadata.name);
    }
  }

  private async process(key: string): Promise<number | undefined> {
    const [kind = "", namespace = "", name = ""] = key.split("/");
    const handler = this.handlerFor(kind);
    const obj = await this.rest.get(handler.apiVersion, kind, namespace || undefined, name);
    if (!obj || obj.metadata.deletionTimestamp) return undefined;
    try {
      return await handler.reconcile(obj);
    } catch (err) {
      // Conflicts and transient API errors: try again shortly, like controller-runtime.
      if (process.env.FLEETLINE_DEBUG) console.warn(`[stand-in] ${key}:`, err);
      return err instanceof KubeApiError && err.status === 404 ? undefined : 1000;
    }
  }
}
