import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { startFaultProxy } from "@/test-support/fault-proxy";
import { startTcpRelay, type TcpRelay } from "@/test-support/tcp-relay";
import { ClusterError, createClusterClient, type ClusterClient, type KubeObject, type WatchEvent } from "./client";

// One connection per cluster, as client-go: every request and watch is a stream of one HTTP/2
// session. The server allows 3 concurrent streams, so two watches leave requests one slot to queue for.
let cluster: TestCluster;
const ns = `h2-${process.pid}`;
const relays: TcpRelay[] = [];
const clients: ClusterClient[] = [];

beforeAll(async () => {
  cluster = await startCluster({ flux: false, apiServerArgs: ["--http2-max-streams-per-connection=3"] });
  await cluster.rest().apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "test");
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const relay of relays) await relay.stop();
  await cluster?.stop();
});

async function throughRelay(options: Parameters<typeof createClusterClient>[1] = {}): Promise<{ relay: TcpRelay; client: ClusterClient }> {
  const relay = await startTcpRelay(cluster.server);
  relays.push(relay);
  const client = createClusterClient({ server: relay.server, caData: cluster.caData, token: cluster.adminToken }, { http2: true, ...options });
  clients.push(client);
  return { relay, client };
}

const configMap = (name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { at: String(Date.now()) } });
const collection = `/api/v1/namespaces/${ns}/configmaps`;

/** A watch from `resourceVersion` collecting the names it sees; `stop` ends it. */
function follow(client: ClusterClient, resourceVersion: string) {
  const seen: string[] = [];
  const stop = new AbortController();
  const ended = client.watch<KubeObject>(collection, resourceVersion, (event: WatchEvent<KubeObject>) => void seen.push(`${event.type} ${event.object.metadata.name}`), stop.signal);
  ended.catch(() => undefined);
  return { seen, stop, ended };
}

describe("one HTTP/2 connection per cluster", () => {
  it("carries two watches and concurrent requests beyond the server's stream limit over one TCP connection", async () => {
    const { relay, client } = await throughRelay({ timeoutMs: 20_000 });
    const { metadata } = await client.list(collection);
    const watches = [follow(client, metadata.resourceVersion ?? "0"), follow(client, metadata.resourceVersion ?? "0")];
    // Twelve at once with one stream free: they wait their turn, none fails.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? client.version() : client.get(`/api/v1/namespaces/${ns}`))));
    expect(answers).toHaveLength(12);
    await client.create(collection, configMap("shared-1"));
    for (const watch of watches) await expect.poll(() => watch.seen, { timeout: 10_000 }).toContain("ADDED shared-1");
    expect(relay.accepted).toBe(1);
    expect(await client.connectionState()).toMatchObject({ protocol: "h2", sessionsOpened: 1, open: true });
    // The watches' streams stay; the requests' close as soon as they are read.
    await expect.poll(async () => (await client.connectionState()).streams).toBe(2);
    for (const watch of watches) watch.stop.abort();
    for (const watch of watches) expect((await watch.ended).outcome).toBe("aborted");
  });

  it("cancels a watch with its stream alone: the connection and the other watch carry on", async () => {
    const { relay, client } = await throughRelay();
    const { metadata } = await client.list(collection);
    const cancelled = follow(client, metadata.resourceVersion ?? "0");
    const kept = follow(client, metadata.resourceVersion ?? "0");
    await expect.poll(async () => (await client.connectionState()).streams).toBe(2);
    cancelled.stop.abort();
    expect((await cancelled.ended).outcome).toBe("aborted");
    await expect.poll(async () => (await client.connectionState()).streams).toBe(1);
    await client.create(collection, configMap("after-cancel"));
    await expect.poll(() => kept.seen, { timeout: 10_000 }).toContain("ADDED after-cancel");
    expect(cancelled.seen).not.toContain("ADDED after-cancel");
    expect(relay.accepted).toBe(1);
    kept.stop.abort();
    await kept.ended;
  });

  it("opens a new connection after the old one dropped: the watch fails as a network error and resumes on the new one", async () => {
    const { relay, client } = await throughRelay();
    const { metadata } = await client.list(collection);
    const before = follow(client, metadata.resourceVersion ?? "0");
    await expect.poll(async () => (await client.connectionState()).streams).toBe(1);
    relay.drop();
    const error = await before.ended.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).kind).toBe("network");
    // The next request reconnects; a watch resumed from the list's version sees what happened since.
    await client.create(collection, configMap("after-drop"));
    const resumed = follow(client, metadata.resourceVersion ?? "0");
    await expect.poll(() => resumed.seen, { timeout: 10_000 }).toContain("ADDED after-drop");
    expect(relay.accepted).toBe(2);
    expect(await client.connectionState()).toMatchObject({ protocol: "h2", sessionsOpened: 2, open: true });
    resumed.stop.abort();
    await resumed.ended;
  });

  it("proves life with a PING on the open connection; a silent one is a timeout and is dropped", async () => {
    const { relay, client } = await throughRelay({ timeoutMs: 500 });
    // Nothing open yet: nothing to ask, the caller makes a request instead.
    expect(await client.ping()).toBeUndefined();
    await client.version();
    const rtt = await client.ping();
    expect(typeof rtt).toBe("number");
    expect(rtt).toBeLessThan(500);
    relay.blackHole();
    const started = Date.now();
    const error = await client.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).toMatchObject({ kind: "timeout", message: "timed out after 500ms" });
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await client.connectionState()).open).toBe(false);
  });

  it("closes its connection when the client is closed, and refuses requests after that", async () => {
    const { relay, client } = await throughRelay();
    await client.version();
    expect(relay.open).toBe(1);
    client.close();
    await expect.poll(() => relay.open).toBe(0);
    const error = await client.version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toMatch(/client of this cluster was closed/);
    expect(relay.accepted).toBe(1);
  });
});

describe("with FLEETLINE_HTTP2=off", () => {
  it("speaks HTTP/1.1 over its agents: a watch has a connection of its own, and a PING is not asked for", async () => {
    const { relay, client } = await throughRelay({ http2: false });
    const { metadata } = await client.list(collection);
    const watch = follow(client, metadata.resourceVersion ?? "0");
    await client.create(collection, configMap("plain-1"));
    await expect.poll(() => watch.seen, { timeout: 10_000 }).toContain("ADDED plain-1");
    expect(relay.accepted).toBeGreaterThanOrEqual(2);
    expect(await client.connectionState()).toMatchObject({ protocol: "http/1.1", open: false, sessionsOpened: 0 });
    expect(await client.ping()).toBeUndefined();
    watch.stop.abort();
    expect((await watch.ended).outcome).toBe("aborted");
  });
});

describe("a server that does not speak HTTP/2", () => {
  it("is spoken to over HTTP/1.1: requests work, a PING is not asked for", async () => {
    // The fault proxy terminates TLS with node's https server: ALPN offers no h2.
    const proxy = await startFaultProxy(cluster, {});
    try {
      const client = createClusterClient({ server: proxy.server, caData: cluster.caData, token: cluster.adminToken }, { http2: true });
      clients.push(client);
      expect((await client.version()).gitVersion).toMatch(/^v1\./);
      expect((await client.list(collection)).items.length).toBeGreaterThan(0);
      expect(await client.ping()).toBeUndefined();
      expect(await client.connectionState()).toMatchObject({ protocol: "http/1.1", open: false, sessionsOpened: 0 });
      expect(proxy.requests).toEqual(expect.arrayContaining(["/version", expect.stringContaining("/configmaps")]));
    } finally {
      await proxy.stop();
    }
  });
});
