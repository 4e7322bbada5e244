// Throwaway control-plane-only clusters (etcd + kube-apiserver on loopback)
// for integration tests and `npm run cluster:up`.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import YAML from "yaml";
import { bootstrapCluster } from "./cluster-setup";
import { KubeRest } from "./kube-rest";
import { freePort, isPortOpen, pollUntil, registerTempDir, removeTempDir, spawnGuarded, type GuardedProcess } from "./process-guard";

export type ClusterUser = "admin" | "viewer";

export type ClusterOptions = {
  /** Install the Flux CRDs, namespace flux-system and controller Deployments (default true). */
  flux?: boolean;
  /** Install the Argo CD CRDs and namespace argocd (default false). */
  argo?: boolean;
  /**
   * Install the policy engines' kinds (default false): Gatekeeper's ConstraintTemplate and the
   * K8sRequiredLabels/K8sAllowedRepos constraint kinds, wgpolicyk8s.io and openreports.io reports.
   */
  policy?: boolean;
  name?: string;
  /** More kube-apiserver flags (e.g. --http2-max-streams-per-connection=3). */
  apiServerArgs?: readonly string[];
};

export type TestCluster = {
  name: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  caData: string;
  adminToken: string;
  /** Token of user "viewer": get/list/watch on everything, nothing else. */
  viewerToken: string;
  /** Kubeconfig YAML: inline CA, token auth, one context. */
  kubeconfig(user?: ClusterUser): string;
  /** Admin kubeconfig written to the cluster's temp dir. */
  kubeconfigPath: string;
  kc(user?: ClusterUser): KubeConfig;
  /** A REST client as that user (test-side convenience; closed by stop()). */
  rest(user?: ClusterUser): KubeRest;
  /** The etcd client URL behind the API server (fault injection: compaction). */
  etcdUrl: string;
  /** Milliseconds from launch until /readyz said ok and the CRDs were Established. */
  startupMs: number;
  dir: string;
  /** etcd's data folder (in shared memory when there is any), removed by stop(). */
  etcdDir: string;
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 60_000;
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const running = new Set<TestCluster>();
let clusterCount = 0;

/** Folder holding kube-apiserver and etcd: $KUBEBUILDER_ASSETS, else ../shared/envtest/bin. */
export function findAssets(
  candidates: (string | undefined)[] = [process.env.KUBEBUILDER_ASSETS, path.resolve(repoRoot, "../shared/envtest/bin")],
): string {
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, "kube-apiserver")) && fs.existsSync(path.join(dir, "etcd"))) return dir;
  }
  throw new Error(
    "kube-apiserver and etcd not found: set KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd " +
      "(shared/envtest/README.md explains how to build them).",
  );
}

function kubeconfigYaml(name: string, server: string, caData: string, user: ClusterUser, token: string): string {
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": Buffer.from(caData).toString("base64") } }],
    users: [{ name: `${name}-${user}`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-${user}` } }],
    "current-context": name,
  });
}

/** The apiserver writes its serving cert followed by the self-signed CA that issued it. */
function readGeneratedCa(certDir: string): string | undefined {
  const file = path.join(certDir, "apiserver.crt");
  if (!fs.existsSync(file)) return undefined;
  const blocks = fs.readFileSync(file, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g);
  return blocks && blocks.length >= 2 ? blocks[1] : undefined;
}

function logTail(file: string): string {
  if (!fs.existsSync(file)) return "";
  return fs.readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
}

// Etcd fsyncs every write; on tmpfs that is free, which roughly halves startup.
function etcdDataParent(): string {
  return fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
}

async function launch(assets: string, name: string, opts: ClusterOptions): Promise<TestCluster> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fleetline-${name}-`));
  registerTempDir(dir);
  const etcdDir = fs.mkdtempSync(path.join(etcdDataParent(), `fleetline-etcd-${name}-`));
  registerTempDir(etcdDir);

  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  fs.writeFileSync(path.join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
  fs.writeFileSync(path.join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
  const adminToken = crypto.randomBytes(24).toString("hex");
  const viewerToken = crypto.randomBytes(24).toString("hex");
  fs.writeFileSync(
    path.join(dir, "tokens.csv"),
    `${adminToken},admin,uid-admin,"system:masters"\n${viewerToken},viewer,uid-viewer,"fleetline:viewers"\n`,
  );

  const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const processes: GuardedProcess[] = [];
  const clients = new Map<ClusterUser, KubeRest>();
  const cleanup = async (): Promise<void> => {
    for (const client of clients.values()) client.close();
    await Promise.all(processes.map((p) => p.kill()));
    // A killed server's sockets outlive its watchdog by a moment (the kernel frees memory
    // before files); return once the ports are closed. Not fatal: after a few seconds a
    // port still open is most likely reused by another test process.
    await pollUntil("ports to close", 5_000, 50, async () => {
      const open = await Promise.all([apiPort, clientPort, peerPort].map(isPortOpen));
      return open.some(Boolean) ? undefined : true;
    }).catch(() => undefined);
    removeTempDir(etcdDir);
    removeTempDir(dir);
  };

  const etcdLog = path.join(dir, "etcd.log");
  const apiLog = path.join(dir, "kube-apiserver.log");
  const certDir = path.join(dir, "certs");
  try {
    processes.push(
      spawnGuarded(path.join(assets, "etcd"), [
        `--name=${name}`,
        `--data-dir=${etcdDir}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=${name}=${peerUrl}`,
        "--log-level=warn",
      ], etcdLog, etcdDir),
    );
    processes.push(
      spawnGuarded(path.join(assets, "kube-apiserver"), [
        `--etcd-servers=${etcdUrl}`,
        `--secure-port=${apiPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--cert-dir=${certDir}`,
        `--token-auth-file=${path.join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        `--service-account-key-file=${path.join(dir, "sa.pub")}`,
        `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--allow-privileged=true",
        "--v=0",
        ...(opts.apiServerArgs ?? []),
      ], apiLog, dir),
    );
    let failure: string | undefined;
    for (const [proc, log] of [[processes[0], etcdLog], [processes[1], apiLog]] as const) {
      void proc?.exited.then((code) => {
        failure ??= `${path.basename(log, ".log")} exited with ${code} during startup:\n${logTail(log)}`;
      });
    }

    const server = `https://127.0.0.1:${apiPort}`;
    const caData = await pollUntil(`${name} /readyz`, READY_TIMEOUT_MS, 200, async () => {
      if (failure) throw new Error(failure);
      const ca = readGeneratedCa(certDir);
      if (!ca) return undefined;
      const probe = new KubeRest({ server, caData: ca, token: adminToken });
      try {
        const { text } = await probe.raw("GET", "/readyz", { timeoutMs: 2000 });
        // While starting it lists checks ("[-]etcd failed..."); only exactly "ok" is ready.
        return text === "ok" ? ca : undefined;
      } finally {
        probe.close();
      }
    }).catch((err: Error) => {
      throw new Error(failure ?? `${err.message}\n--- kube-apiserver log ---\n${logTail(apiLog)}`);
    });

    const tokens: Record<ClusterUser, string> = { admin: adminToken, viewer: viewerToken };
    const rest = (user: ClusterUser = "admin"): KubeRest => {
      let client = clients.get(user);
      if (!client) {
        client = new KubeRest({ server, caData, token: tokens[user] });
        clients.set(user, client);
      }
      return client;
    };
    await bootstrapCluster(rest("admin"), rest("viewer"), { flux: opts.flux ?? true, argo: opts.argo ?? false, policy: opts.policy ?? false });

    const kubeconfig = (user: ClusterUser = "admin"): string => kubeconfigYaml(name, server, caData, user, tokens[user]);
    const kubeconfigPath = path.join(dir, "kubeconfig.yaml");
    fs.writeFileSync(kubeconfigPath, kubeconfig("admin"), { mode: 0o600 });

    let stopping: Promise<void> | undefined;
    const cluster: TestCluster = {
      name,
      server,
      caData,
      adminToken,
      viewerToken,
      kubeconfig,
      kubeconfigPath,
      kc(user: ClusterUser = "admin") {
        const kc = new KubeConfig();
        kc.loadFromString(kubeconfig(user));
        return kc;
      },
      rest,
      etcdUrl,
      startupMs: Date.now() - started,
      dir,
      etcdDir,
      stop() {
        stopping ??= (async () => {
          running.delete(cluster);
          await cleanup();
        })();
        return stopping;
      },
    };
    running.add(cluster);
    return cluster;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Starts one cluster; retried (with new ports) only when a port was taken meanwhile. */
export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const assets = findAssets();
  const name = opts.name ?? `cluster-${process.pid}-${++clusterCount}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(assets, name, opts);
    } catch (err) {
      const portClash = err instanceof Error && /address already in use/.test(err.message);
      if (!portClash || attempt >= 3) throw err;
    }
  }
}

/** Starts `n` clusters in parallel; if one fails, the others are stopped too. */
export async function startFleet(n: number, opts: ClusterOptions = {}): Promise<TestCluster[]> {
  const prefix = opts.name ?? `fleet-${process.pid}-${++clusterCount}`;
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => startCluster({ ...opts, name: `${prefix}-${i + 1}` })),
  );
  const clusters = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all(clusters.map((c) => c.stop()));
    throw failed.reason;
  }
  return clusters;
}

/** Stops every cluster this process started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}
