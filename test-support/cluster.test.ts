// Self-tests of the cluster launcher: startup, TLS, tokens, RBAC, teardown.
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { ApiException, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findAssets, startCluster, startFleet, type TestCluster } from "./cluster";
import { isPortOpen } from "./process-guard";

/** Pids of processes whose command line mentions `needle` (our servers carry the cluster dir). */
function processesMentioning(needle: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

function get(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(url, ca ? { ca } : {}, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve(`${res.statusCode}`));
    }).on("error", reject);
  });
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

describe("startCluster", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ argo: true });
  });
  afterAll(() => cluster?.stop());

  it("starts within 30 s and serves TLS that verifies only with caData", async () => {
    expect(cluster.startupMs).toBeLessThan(30_000);
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(`${cluster.server}/version`, cluster.caData)).toMatch(/^(200|401|403)$/);
    await expect(get(`${cluster.server}/version`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it("hands out kubeconfigs that @kubernetes/client-node can use", async () => {
    const parsed = fs.readFileSync(cluster.kubeconfigPath, "utf8");
    expect(parsed).toContain("certificate-authority-data:");
    expect(parsed).toContain(cluster.adminToken);
    const core = cluster.kc().makeApiClient(CoreV1Api);
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(["default", "kube-system", "flux-system", "argocd"]));
  });

  it("gives the viewer 200 on reads and 403 on writes", async () => {
    const core = cluster.kc("viewer").makeApiClient(CoreV1Api);
    const custom = cluster.kc("viewer").makeApiClient(CustomObjectsApi);
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: "default" }))).toBe(200);
    expect(await statusOf(custom.listNamespacedCustomObject({ group: "source.toolkit.fluxcd.io", version: "v1", namespace: "flux-system", plural: "gitrepositories" }))).toBe(200);
    const body = { metadata: { name: "from-viewer" }, data: { a: "b" } };
    expect(await statusOf(core.createNamespacedConfigMap({ namespace: "default", body }))).toBe(403);
    expect(await statusOf(core.deleteNamespace({ name: "flux-system" }))).toBe(403);
    // The admin may do the same write.
    expect(await statusOf(cluster.kc("admin").makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: "default", body }))).toBe(200);
  });

  it("installs Flux as `flux install` would: controllers reported available", async () => {
    const { items } = await cluster.rest().list("apps/v1", "Deployment", "flux-system");
    expect(items.map((d) => d.metadata.name).sort()).toEqual(["helm-controller", "kustomize-controller", "notification-controller", "source-controller"]);
    for (const d of items) {
      expect(d.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("flux");
      expect((d.status as { availableReplicas?: number }).availableReplicas).toBe(1);
    }
  });
});

describe("startFleet and stop", () => {
  it("starts clusters in parallel, each with its own CA, and leaves nothing behind", async () => {
    const fleet = await startFleet(2, { flux: false });
    const [a, b] = fleet as [TestCluster, TestCluster];
    expect(a.server).not.toBe(b.server);
    expect(a.caData).not.toBe(b.caData);
    // One cluster's CA must not vouch for another cluster.
    await expect(get(`${b.server}/version`, a.caData)).rejects.toThrow();
    const ports = fleet.map((c) => Number(new URL(c.server).port));
    // flux: false means no Flux CRDs.
    expect(await a.rest().get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "gitrepositories.source.toolkit.fluxcd.io")).toBeUndefined();

    // The apiserver's arguments name the cluster dir, etcd's its member name (NUL ends an argument).
    const traces = fleet.flatMap((c) => [c.dir, `--name=${c.name}\0`]);
    for (const trace of traces) expect(processesMentioning(trace).length).toBeGreaterThan(0);

    await Promise.all(fleet.map((c) => c.stop()));
    for (const trace of traces) expect(processesMentioning(trace)).toEqual([]);
    for (const c of fleet) {
      expect(fs.existsSync(c.dir)).toBe(false);
    }
    for (const port of ports) expect(await isPortOpen(port)).toBe(false);
    // stop() is idempotent.
    await a.stop();
  });

  it("finds the binaries via KUBEBUILDER_ASSETS or the fallback, else says how to fix it", () => {
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-assets-"));
    for (const binary of ["kube-apiserver", "etcd"]) fs.writeFileSync(path.join(fake, binary), "");
    expect(findAssets(["/nonexistent", fake])).toBe(fake);
    fs.rmSync(fake, { recursive: true });
    expect(() => findAssets(["/nonexistent", undefined])).toThrow(/set KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd.*shared\/envtest\/README\.md/s);
  });
});
