import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "@/test-support/cluster";
import { compactEtcd, startFaultProxy, type FaultProxy } from "@/test-support/fault-proxy";
import { ClusterError, createClusterClient } from "./client";
import { Deadline } from "./deadline";

let cluster: TestCluster;
const ns = `list-limits-${process.pid}`;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  cluster = await startCluster({ flux: false });
  const rest = cluster.rest();
  await rest.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "test");
  for (let i = 0; i < 6; i++) await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace: ns }, data: { i: String(i) } }, "test");
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.stop();
  await cluster?.stop();
});

const clientThrough = (proxy: FaultProxy, options: Parameters<typeof createClusterClient>[1] = {}) =>
  createClusterClient({ server: proxy.server, caData: cluster.caData, token: cluster.adminToken }, options);

describe("list() bounds", () => {
  it("stops at the page cap with a clear reason when the server keeps answering with continue", async () => {
    // Every answer carries another continue token; the token is stripped before it reaches the real server.
    const proxy = await startFaultProxy(cluster, {
      rewritePath: (path) => path.replace(/&continue=[^&]*/, ""),
      rewriteBody: (_path, body) => (body.kind === "ConfigMapList" ? { ...body, metadata: { ...(body.metadata as object), continue: "again" } } : body),
    });
    proxies.push(proxy);
    const client = clientThrough(proxy, { listMaxPages: 7 });
    const error = await client.list(`/api/v1/namespaces/${ns}/configmaps`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toBe(`listing /api/v1/namespaces/${ns}/configmaps stopped after 7 pages: the API server kept answering with another continue token`);
    expect(proxy.requests.filter((r) => r.includes("/configmaps")).length).toBe(7);
  });

  it("stops at the item cap", async () => {
    const proxy = await startFaultProxy(cluster, {
      rewritePath: (path) => path.replace(/&continue=[^&]*/, ""),
      rewriteBody: (_path, body) => (body.kind === "ConfigMapList" ? { ...body, metadata: { ...(body.metadata as object), continue: "again" } } : body),
    });
    proxies.push(proxy);
    const error = await clientThrough(proxy, { listMaxItems: 10 }).list(`/api/v1/namespaces/${ns}/configmaps`).catch((e: unknown) => e);
    expect((error as ClusterError).message).toMatch(/stopped after 10 items/);
  });

  it("relists from scratch when the continue token has expired (410 Gone from a compacted etcd)", async () => {
    let firstPages = 0;
    const proxy = await startFaultProxy(cluster, {
      rewriteBody: async (path, body) => {
        if (body.kind !== "ConfigMapList" || path.includes("continue=")) return body;
        firstPages++;
        if (firstPages === 1) {
          // After the first page: move etcd on and compact, so this page's continue token is too old.
          await cluster.rest().apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "advance", namespace: ns }, data: { at: String(Date.now()) } }, "test");
          await compactEtcd(cluster);
        }
        return body;
      },
    });
    proxies.push(proxy);
    const list = await clientThrough(proxy, { listPageSize: 2 }).list<{ metadata: { name: string } }>(`/api/v1/namespaces/${ns}/configmaps`);
    expect(firstPages).toBe(2);
    expect(list.items.map((i) => i.metadata.name)).toEqual(expect.arrayContaining(["cm-0", "cm-5", "advance"]));
  });
});

describe("a deadline cancels the request itself", () => {
  it("closes the connection to a black hole when the deadline passes", async () => {
    const sockets = new Set<net.Socket>();
    let closed = 0;
    const hole = net.createServer((socket) => {
      sockets.add(socket);
      // Read (and drop) what arrives, so the client's FIN is noticed; never answer.
      socket.resume();
      socket.on("close", () => closed++);
    });
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = hole.address() as net.AddressInfo;
      // The request timeout alone would wait 30 s; the cluster's 300 ms deadline must end it.
      const client = createClusterClient({ server: `https://127.0.0.1:${port}`, token: "t" }, { timeoutMs: 30_000 });
      const deadline = new Deadline(300);
      const error = await client.withSignal(deadline.signal).version().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClusterError);
      expect((error as ClusterError).message).toBe("the cluster did not finish within 300ms");
      await expect.poll(() => closed, { timeout: 2000 }).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    }
  });
});
