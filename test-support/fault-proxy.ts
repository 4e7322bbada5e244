import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { TestCluster } from "./cluster";

/**
 * A fault injector in front of a REAL API server (not a fake Kubernetes): it terminates TLS with
 * the API server's own serving certificate (so clients keep verifying against the cluster CA),
 * forwards every request to the real server and lets a test rewrite the request path or the
 * JSON answer, e.g. to keep handing out `continue` tokens. Listens on 127.0.0.1, a free port.
 */
export type FaultProxy = { server: string; requests: string[]; stop(): Promise<void> };

export type FaultHooks = {
  /** The path sent upstream (default: unchanged). */
  rewritePath?: (path: string) => string;
  /** Called with the upstream JSON body; return a replacement (or nothing to keep it). May be async. */
  rewriteBody?: (path: string, body: Record<string, unknown>) => unknown;
  /**
   * A slow link: milliseconds to hold each request before it is forwarded (0: none). Read per
   * request, so a test can slow one cluster down and speed it up again while a push runs.
   */
  delayMs?: (method: string, path: string) => number;
};

export async function startFaultProxy(cluster: TestCluster, hooks: FaultHooks): Promise<FaultProxy> {
  const certDir = path.join(cluster.dir, "certs");
  const upstream = new URL(cluster.server);
  const agent = new https.Agent({ ca: cluster.caData, keepAlive: true });
  const requests: string[] = [];
  const proxy = https.createServer(
    { cert: fs.readFileSync(path.join(certDir, "apiserver.crt")), key: fs.readFileSync(path.join(certDir, "apiserver.key")) },
    (request, response) => {
      const original = request.url ?? "/";
      requests.push(original);
      const forwarded = hooks.rewritePath ? hooks.rewritePath(original) : original;
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      const forward = async () => {
        const wait = hooks.delayMs?.(request.method ?? "GET", original) ?? 0;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const headers = { ...request.headers, host: upstream.host };
        const out = https.request({ hostname: upstream.hostname, port: upstream.port, path: forwarded, method: request.method, headers, agent }, (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            void (async () => {
              let body = Buffer.concat(parts);
              if (hooks.rewriteBody && String(answer.headers["content-type"] ?? "").includes("json")) {
                const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
                const replaced = await hooks.rewriteBody(original, parsed);
                body = Buffer.from(JSON.stringify(replaced ?? parsed));
              }
              // The body may have been rewritten: its length is set again, and it is no longer chunked.
              const headers = { ...answer.headers, "content-length": String(body.length) };
              delete headers["transfer-encoding"];
              response.writeHead(answer.statusCode ?? 502, headers);
              response.end(body);
            })().catch(() => response.destroy());
          });
        });
        out.on("error", () => response.destroy());
        out.end(Buffer.concat(chunks));
      };
      request.on("end", () => void forward());
    },
  );
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    server: `https://127.0.0.1:${port}`,
    requests,
    async stop() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      agent.destroy();
    },
  };
}

/** Compacts the cluster's etcd at its current revision, so older continue tokens and watch versions expire (410). */
export async function compactEtcd(cluster: TestCluster): Promise<number> {
  const post = async (endpoint: string, body: object) => {
    const response = await fetch(`${cluster.etcdUrl}${endpoint}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`etcd ${endpoint}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { header?: { revision?: string } };
  };
  // A range over one key returns the store's current revision in its header.
  const { header } = await post("/v3/kv/range", { key: Buffer.from("/").toString("base64") });
  const revision = Number(header?.revision);
  await post("/v3/kv/compaction", { revision, physical: true });
  return revision;
}
