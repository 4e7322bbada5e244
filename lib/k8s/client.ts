import "server-only";
import https from "node:https";
import tls from "node:tls";
import { env } from "@/lib/env";
import { ClusterError } from "./errors";
import { createGuardedLookup } from "./guarded-lookup";
import { cancelledError, pingConnection, requestJson, type Agents, type Connection, type HttpRequest } from "./http";
import { Http2Channel, type ChannelState } from "./http2-channel";
import { groupVersionPath, resourcePath } from "./resource-path";
import type { ClusterCredentials } from "./types";
import { checkApiServerUrl } from "./url-guard";
import { watchResource, type WatchEnd, type WatchEvent } from "./watch";

export { ClusterError, type ClusterErrorKind, type FieldConflict } from "./errors";
export { withRetry, isRetryable, type RetryOptions } from "./retry";
export { resourcePath, type ResourceRef } from "./resource-path";
export type { WatchEnd, WatchEvent } from "./watch";
export type { ChannelState } from "./http2-channel";

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type KubeList<T> = { metadata: { resourceVersion?: string }; items: T[] };

export type VersionInfo = { gitVersion: string; major: string; minor: string; [key: string]: unknown };

export type Query = Record<string, string | number | boolean | undefined>;

export type ApplyOptions = { fieldManager: string; force?: boolean; dryRun?: boolean };

export type ClusterClient = {
  version(): Promise<VersionInfo>;
  /**
   * Proof of life from the cluster's open HTTP/2 connection: a PING's round trip in ms (timeoutMs
   * bounds it; no answer is a timeout). Undefined when there is no open connection to ask (none
   * yet, closed, or the server speaks HTTP/1.1 only): ask with a request (version()) instead.
   */
  ping(): Promise<number | undefined>;
  get<T = KubeObject>(path: string): Promise<T>;
  /** Only the object's metadata (PartialObjectMetadata): a CRD's labels without its large schema. */
  getMetadata(path: string): Promise<{ metadata: KubeObject["metadata"] }>;
  /**
   * Every page of a list (followed through `continue`), at one resourceVersion. Bounded: at most
   * `listMaxPages` pages and `listMaxItems` items (then it fails saying so), the cancel signal is
   * checked between pages, and an expired `continue` token (410) starts the list again, twice at most.
   */
  list<T = KubeObject>(path: string, query?: Query): Promise<KubeList<T>>;
  /** Server-side apply; the resource path comes from the cluster's discovery documents. */
  applyObject<T = KubeObject>(object: KubeObject, options: ApplyOptions): Promise<T>;
  mergePatch<T = KubeObject>(path: string, patch: object, options?: { fieldManager?: string }): Promise<T>;
  /** RFC 6902 JSON patch (used to rewrite metadata.managedFields when handing fields from one manager to another). */
  jsonPatch<T = KubeObject>(path: string, operations: readonly object[], options?: { fieldManager?: string }): Promise<T>;
  create<T = KubeObject>(collectionPath: string, object: KubeObject): Promise<T>;
  delete(path: string, options?: { propagationPolicy?: "Foreground" | "Background" | "Orphan" }): Promise<unknown>;
  watch<T = KubeObject>(
    path: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void | Promise<void>,
    signal: AbortSignal,
  ): Promise<WatchEnd>;
  /** The same client whose every request is aborted when `signal` fires (a Deadline's signal). */
  withSignal(signal: AbortSignal): ClusterClient;
  /** Shared by a client and its withSignal views: the key for per-cluster caches (discovery). */
  readonly identity: object;
  /** How the cluster is spoken to (h2 or HTTP/1.1) and how many connections that took so far. */
  connectionState(): Promise<ChannelState>;
  /**
   * Gives up the cluster's connection (the client is replaced or the cluster deleted): requests in
   * flight finish, later ones fail. Shared by the client and its withSignal views.
   */
  close(): void;
};

export type ClientOptions = {
  /** Per-request deadline, also the watch's wait for response headers (default 5000). */
  timeoutMs?: number;
  /** Watches end after this long and are resumed by the caller (default: 300 to 600, drawn per watch). */
  watchTimeoutSeconds?: number;
  /** Items asked for per page (default 500). */
  listPageSize?: number;
  /** A list stops with an error after this many pages (default 200, of 500 items each). */
  listMaxPages?: number;
  /** A list stops with an error past this many items (default 50,000). */
  listMaxItems?: number;
  /**
   * Every request and watch as streams of one HTTP/2 connection (the default; FLEETLINE_HTTP2=off
   * for HTTP/1.1 keep-alive agents). A server whose TLS offers no h2 is spoken to over HTTP/1.1.
   */
  http2?: boolean;
};

const DEFAULT_TIMEOUT_MS = 5000;
// As client-go's reflectors: five minutes to ten, drawn per watch, so a fleet's watches started
// together (a registration, a restart) do not all end and resume together again. A fixed 240 s did.
const MIN_WATCH_TIMEOUT_SECONDS = 300;
// A watch that is a stream of the cluster's HTTP/2 session need not end to find out its connection
// died quietly: every pass PINGs that session and destroys it when no answer comes, which fails its
// streams. Thirty minutes to sixty, as the API server draws a watch's end when the client asks none
// (its --min-request-timeout, 1800 s, to twice that). At 2,000 clusters the 4,000 watches ending
// every five to ten minutes were about nine resumes a second with nothing changing.
const MIN_H2_WATCH_TIMEOUT_SECONDS = 1800;
export const watchTimeoutSeconds = (random = Math.random, overH2 = false) =>
  Math.round((overH2 ? MIN_H2_WATCH_TIMEOUT_SECONDS : MIN_WATCH_TIMEOUT_SECONDS) * (1 + random()));
const LIST_PAGE_SIZE = 500;
const DEFAULT_LIST_MAX_PAGES = 200;
const DEFAULT_LIST_MAX_ITEMS = 50_000;
// An expired continue token means the list took longer than etcd keeps its snapshot: start
// over, but not forever (a cluster churning faster than we can read is reported instead).
const LIST_MAX_RESTARTS = 2;

type ApiResource = { name: string; kind: string; namespaced: boolean };

/**
 * A client for one cluster built only from validated inline credentials: no files,
 * no exec plugins, no proxies, TLS always verified against the given CA (or the
 * system roots), and every request bounded by timeoutMs.
 */
export function createClusterClient(credentials: ClusterCredentials, options: ClientOptions = {}): ClusterClient {
  const problem = checkApiServerUrl(credentials.server);
  if (problem) throw new ClusterError("invalid", `API server URL ${problem}`);
  const ready = connect(credentials, options.http2 ?? env().FLEETLINE_HTTP2 === "on");
  // Failures surface on each call; without this an unused client would raise an unhandled rejection.
  ready.catch(() => undefined);
  return clientOver(ready, options, undefined, {});
}

function clientOver(ready: Promise<Connection>, options: ClientOptions, cancel: AbortSignal | undefined, identity: object): ClusterClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const watchTimeouts = (connection: Connection) => ({
    connectMs: timeoutMs,
    serverSeconds: options.watchTimeoutSeconds ?? watchTimeoutSeconds(Math.random, connection.channel?.state().protocol === "h2"),
  });
  const pageSize = options.listPageSize ?? LIST_PAGE_SIZE;
  const maxPages = options.listMaxPages ?? DEFAULT_LIST_MAX_PAGES;
  const maxItems = options.listMaxItems ?? DEFAULT_LIST_MAX_ITEMS;
  // Discovery documents per group/version, for mapping kinds to resource paths.
  const discovery = new Map<string, Promise<ApiResource[]>>();

  const call = async (request: HttpRequest) => requestJson(await ready, request, timeoutMs, cancel);
  const getJson = <T>(path: string) => call({ method: "GET", path }) as Promise<T>;

  const resourcesOf = (apiVersion: string, refresh: boolean): Promise<ApiResource[]> => {
    const cached = discovery.get(apiVersion);
    if (cached && !refresh) return cached;
    const fetched = getJson<{ resources: ApiResource[] }>(groupVersionPath(apiVersion)).then(
      (document) => document.resources,
      (error: unknown) => {
        // A group/version the cluster does not serve has no resources.
        if (error instanceof ClusterError && error.kind === "not-found") return [];
        throw error;
      },
    );
    discovery.set(apiVersion, fetched);
    // Failed lookups are not cached: the next call asks again.
    fetched.catch(() => discovery.get(apiVersion) === fetched && discovery.delete(apiVersion));
    return fetched;
  };

  const findResource = async (apiVersion: string, kind: string, refresh: boolean): Promise<ApiResource | undefined> => {
    // Sub-resources ("deployments/status") share the kind; only the top-level one takes objects.
    return (await resourcesOf(apiVersion, refresh)).find((r) => r.kind === kind && !r.name.includes("/"));
  };

  const pathFor = async (object: KubeObject): Promise<string> => {
    const { apiVersion, kind, metadata } = object;
    // A CRD installed after the first lookup is missing from the cached document: look again once.
    const resource = (await findResource(apiVersion, kind, false)) ?? (await findResource(apiVersion, kind, true));
    if (!resource) throw new ClusterError("not-found", `the cluster does not serve ${kind} in ${apiVersion} (is its CRD installed?)`);
    if (resource.namespaced && !metadata.namespace) throw new ClusterError("invalid", `${kind} ${metadata.name} needs metadata.namespace`);
    const namespace = resource.namespaced ? metadata.namespace : undefined;
    return resourcePath({ apiVersion, plural: resource.name, namespace, name: metadata.name });
  };

  return {
    version: () => getJson<VersionInfo>("/version"),
    ping: async () => pingConnection(await ready, timeoutMs, cancel),
    get: (path) => getJson(path),
    getMetadata: (path) =>
      call({ method: "GET", path, accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json" }) as Promise<{ metadata: KubeObject["metadata"] }>,
    async list<T>(path: string, query: Query = {}) {
      for (let restarts = 0; ; restarts++) {
        try {
          return await listPages<T>(path, query);
        } catch (error) {
          if (!(error instanceof ExpiredContinue) || restarts >= LIST_MAX_RESTARTS) throw error instanceof ExpiredContinue ? error.cause : error;
        }
      }
    },
    async applyObject<T>(object: KubeObject, { fieldManager, force, dryRun }: ApplyOptions) {
      const path = withQuery(await pathFor(object), { fieldManager, force: force || undefined, dryRun: dryRun ? "All" : undefined });
      // JSON is YAML, so the object goes as is under the apply content type.
      return (await call({ method: "PATCH", path, body: JSON.stringify(object), contentType: "application/apply-patch+yaml" })) as T;
    },
    async mergePatch<T>(path: string, patch: object, { fieldManager }: { fieldManager?: string } = {}) {
      const body = JSON.stringify(patch);
      const contentType = "application/merge-patch+json";
      return (await call({ method: "PATCH", path: withQuery(path, { fieldManager }), body, contentType })) as T;
    },
    async jsonPatch<T>(path: string, operations: readonly object[], { fieldManager }: { fieldManager?: string } = {}) {
      const body = JSON.stringify(operations);
      return (await call({ method: "PATCH", path: withQuery(path, { fieldManager }), body, contentType: "application/json-patch+json" })) as T;
    },
    async create<T>(collectionPath: string, object: KubeObject) {
      return (await call({ method: "POST", path: collectionPath, body: JSON.stringify(object) })) as T;
    },
    delete: (path, { propagationPolicy } = {}) =>
      call({ method: "DELETE", path, body: JSON.stringify({ apiVersion: "v1", kind: "DeleteOptions", propagationPolicy }) }),
    async watch(path, resourceVersion, onEvent, signal) {
      const connection = await ready;
      return watchResource(connection, path, resourceVersion, onEvent, cancel ? AbortSignal.any([signal, cancel]) : signal, watchTimeouts(connection));
    },
    withSignal: (signal) => clientOver(ready, options, cancel ? AbortSignal.any([cancel, signal]) : signal, identity),
    identity,
    connectionState: async () => (await ready).channel?.state() ?? { protocol: "http/1.1", open: false, sessionsOpened: 0, streams: 0 },
    close: () => void ready.then(closeConnection, () => undefined),
  };

  async function listPages<T>(path: string, query: Query): Promise<KubeList<T>> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    let pages = 0;
    do {
      // Between pages: a cluster out of time sends nothing more.
      if (cancel?.aborted) throw cancelledError(cancel);
      if (pages >= maxPages || items.length > maxItems) {
        const what = pages >= maxPages ? `${maxPages} pages` : `${maxItems.toLocaleString("en-US")} items`;
        throw new ClusterError("server", `listing ${path} stopped after ${what}: the API server kept answering with another continue token`);
      }
      let page: KubeList<T> & { metadata: { continue?: string } };
      try {
        page = await getJson(withQuery(path, { ...query, limit: pageSize, continue: token }));
      } catch (error) {
        // 410 Gone on a follow-up page: the continue token outlived etcd's compaction.
        if (token && error instanceof ClusterError && error.kind === "gone") throw new ExpiredContinue(error);
        throw error;
      }
      pages++;
      if (!Array.isArray(page.items)) throw new ClusterError("server", `the API server's list of ${path} has no items`);
      items.push(...page.items);
      resourceVersion ??= page.metadata?.resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    return { metadata: { resourceVersion }, items };
  }
}

class ExpiredContinue extends Error {
  constructor(override readonly cause: ClusterError) {
    super(cause.message);
  }
}

/**
 * The connection's TLS and auth from the validated inline fields only (the kubeconfig parser has
 * already refused files, exec plugins, auth providers and proxies): the CA, the client certificate
 * and key, the server name and a bearer token. Verification is always on: explicit, so
 * NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn it off. Without a CA the system's
 * roots verify the server, as any Kubernetes client does.
 *
 * This used to go through @kubernetes/client-node's KubeConfig (loadFromOptions and
 * applyToHTTPSOptions), which set exactly these options. Importing it loads every generated API
 * module: 68 MiB resident in every portal process, for a mapping of five fields.
 */
async function connect(credentials: ClusterCredentials, http2: boolean): Promise<Connection> {
  const ca = credentials.caData;
  const cert = credentials.clientCertData;
  const key = credentials.clientKeyData;
  const servername = credentials.tlsServerName;
  // One TLS context per cluster, shared by every connection to it: without it each new socket
  // parses the CA bundle and keys again (CPU per handshake, memory per open watch).
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  } catch {
    // The message can quote key material: never pass it on.
    throw new ClusterError("tls", "could not set up a verifying TLS connection from the cluster's certificates");
  }
  const url = new URL(credentials.server);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port ? Number(url.port) : 443;
  const lookup = createGuardedLookup();
  // With http2: every request and watch of the cluster as streams of one HTTP/2 connection, as
  // client-go does (at 2,000 clusters, four idle TLS sockets each, ~49 KiB native apiece, are most
  // of the memory).
  const channel = http2 ? new Http2Channel({ hostname, port, secureContext, lookup, ...(servername ? { servername } : {}) }) : undefined;
  const agents = keepAliveAgents({ rejectUnauthorized: true, secureContext, ...(servername ? { servername } : {}) });
  const headers: Record<string, string> = credentials.token ? { Authorization: `Bearer ${credentials.token}` } : {};
  return { hostname, port, basePath: url.pathname.replace(/\/+$/, ""), channel, agents, headers, lookup };
}

/**
 * Without http2, or for a server that does not speak h2 (a proxy offering HTTP/1.1 only): the same
 * TLS settings, connections kept and reused (a handshake costs more than the call). Made on first
 * use: over HTTP/2 the two agents of every cluster carried nothing, and their options and queues
 * were about 9 MiB of the heap at 2,000 clusters (bench:fleet, heap snapshot).
 */
function keepAliveAgents(tlsOptions: https.AgentOptions): Agents {
  let requests: https.Agent | undefined;
  let watches: https.Agent | undefined;
  return {
    // Two idle ones per cluster: with one, the policy and version reads beside a light pass made a
    // new handshake every time (bench:fleet at rest).
    requests: () => (requests ??= new https.Agent({ ...tlsOptions, keepAlive: true, maxSockets: 8, maxFreeSockets: 2, scheduling: "lifo" })),
    // A watch the server ends (every few minutes) is resumed on the same connection, not a new handshake.
    watches: () => (watches ??= new https.Agent({ ...tlsOptions, keepAlive: true, maxFreeSockets: 8, scheduling: "lifo" })),
    destroy: () => {
      requests?.destroy();
      watches?.destroy();
    },
  };
}

function closeConnection(connection: Connection): void {
  connection.channel?.close();
  connection.agents.destroy();
}

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  if (text === "") return path;
  return `${path}${path.includes("?") ? "&" : "?"}${text}`;
}
