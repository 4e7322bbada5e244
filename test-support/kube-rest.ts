// A small REST client for the test API servers. The stand-ins need things the
// generated client makes awkward (any kind via discovery, the /status
// subresource, raw watch streams, apply patches), so they talk HTTP directly.
import https from "node:https";

export type ObjectMeta = {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  managedFields?: unknown[];
};

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
};

export type WatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"; object: KubeObject };

type ApiResource = { plural: string; namespaced: boolean };

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

export type RestConfig = {
  server: string;
  caData: string;
  token: string;
  /**
   * Send every request as this user (Impersonate-User), as Flux controllers do for a
   * spec.serviceAccountName: the API server authorizes the impersonated user, so its refusals are real.
   */
  impersonate?: string;
};

type RequestOptions = { body?: unknown; contentType?: string; timeoutMs?: number };

export class KubeRest {
  private readonly agent: https.Agent;
  // Watches hold their socket for minutes: on the request agent, a few stand-ins' watches (Flux's
  // kinds, Gatekeeper's, Kyverno's) took all its sockets and every other request waited forever.
  private readonly watchAgent: https.Agent;
  private readonly discovery = new Map<string, Map<string, ApiResource>>();

  constructor(private readonly config: RestConfig) {
    this.agent = new https.Agent({ ca: config.caData, keepAlive: true, maxSockets: 8 });
    this.watchAgent = new https.Agent({ ca: config.caData, keepAlive: false });
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  /** A client with the same server and token that acts as `user` (close it when done). */
  impersonating(user: string): KubeRest {
    return new KubeRest({ ...this.config, impersonate: user });
  }

  private authHeaders(): Record<string, string> {
    return {
      Authorization: `Bearer ${this.config.token}`,
      ...(this.config.impersonate ? { "Impersonate-User": this.config.impersonate } : {}),
    };
  }

  /** One request; resolves with status and body text whatever the status. */
  raw(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; text: string }> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.config.server),
        {
          method,
          agent: this.agent,
          timeout: options.timeoutMs ?? 30_000,
          headers: {
            ...this.authHeaders(),
            Accept: "application/json",
            ...(body === undefined ? {} : { "Content-Type": options.contentType ?? "application/json" }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Like raw(), but parses JSON and turns statuses >= 400 into KubeApiError. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { status, text } = await this.raw(method, path, options);
    if (status >= 400) {
      let reason = "";
      let message = text;
      try {
        const parsed = JSON.parse(text) as { reason?: string; message?: string };
        reason = parsed.reason ?? "";
        message = parsed.message ?? text;
      } catch {
        // Not a Status object; keep the text.
      }
      throw new KubeApiError(status, reason, message);
    }
    return JSON.parse(text) as T;
  }

  /** Plural and scope of a kind, from discovery; refreshed once on a miss so new CRDs are found. */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    for (const refresh of [false, true]) {
      let kinds = this.discovery.get(apiVersion);
      if (!kinds || refresh) {
        const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const { status, text } = await this.raw("GET", path);
        kinds = new Map();
        if (status === 200) {
          const list = JSON.parse(text) as { resources: { name: string; kind: string; namespaced: boolean }[] };
          for (const r of list.resources) {
            if (!r.name.includes("/")) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
          }
        }
        this.discovery.set(apiVersion, kinds);
      }
      const found = kinds.get(kind);
      if (found) return found;
    }
    throw new KubeApiError(404, "NotFound", `no matches for kind "${kind}" in version "${apiVersion}"`);
  }

  async path(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const { plural, namespaced } = await this.resourceFor(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    return `${base}${ns}/${plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.json<KubeObject>("GET", await this.path(apiVersion, kind, namespace, name));
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const list = await this.json<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(
      "GET",
      await this.path(apiVersion, kind, namespace),
    );
    // List items come without apiVersion/kind; callers compare and re-apply them.
    const items = list.items.map((item) => ({ ...item, apiVersion, kind }));
    return { items, resourceVersion: list.metadata.resourceVersion };
  }

  /** Server-side apply of a whole object as `fieldManager`. */
  async apply(obj: KubeObject, fieldManager: string, options: { force?: boolean; dryRun?: boolean } = {}): Promise<KubeObject> {
    const query = new URLSearchParams({ fieldManager, force: String(options.force ?? true) });
    if (options.dryRun) query.set("dryRun", "All");
    const path = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return this.json<KubeObject>("PATCH", `${path}?${query}`, { body: obj, contentType: "application/apply-patch+yaml" });
  }

  async mergePatch(
    ref: { apiVersion: string; kind: string; namespace?: string; name: string },
    patch: unknown,
    subresource?: "status",
  ): Promise<KubeObject> {
    const path = await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    return this.json<KubeObject>("PATCH", subresource ? `${path}/${subresource}` : path, {
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  /** Deletes an object; a missing one is not an error. */
  async remove(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): Promise<void> {
    const { status, text } = await this.raw("DELETE", await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name));
    if (status >= 400 && status !== 404) throw new KubeApiError(status, "", text);
  }

  /**
   * Streams watch events from `resourceVersion` until the server ends the
   * watch (timeoutSeconds), the request fails or `signal` aborts. Returns the
   * HTTP status so callers can tell "expired, list again" (410) apart.
   */
  async watch(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<number> {
    const query = new URLSearchParams({ watch: "1", resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: "120" });
    const url = new URL(`${await this.path(apiVersion, kind, namespace)}?${query}`, this.config.server);
    return new Promise((resolve) => {
      const req = https.request(
        url,
        { agent: this.watchAgent, signal, headers: { ...this.authHeaders(), Accept: "application/json" } },
        (res) => {
          const status = res.statusCode ?? 0;
          res.on("end", () => resolve(status));
          res.on("close", () => resolve(status));
          res.on("error", () => resolve(0));
          if (status !== 200) {
            res.resume(); // a Status object, e.g. 410 Gone: nothing to stream
            return;
          }
          let buffered = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            buffered += chunk;
            for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
              const line = buffered.slice(0, newline).trim();
              buffered = buffered.slice(newline + 1);
              if (!line) continue;
              let event: WatchEvent;
              try {
                event = JSON.parse(line) as WatchEvent;
              } catch {
                req.destroy(); // a torn stream: end this watch, the caller lists again
                return;
              }
              onEvent(event);
            }
          });
        },
      );
      req.on("error", () => resolve(0));
      req.end();
    });
  }
}
