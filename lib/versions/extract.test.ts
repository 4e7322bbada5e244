import { describe, expect, it } from "vitest";
import { applicationImages, containerImages, deployedChart, desiredImages, imageValues, podSpecOf, workloadOfInventoryId } from "./extract";

describe("workloadOfInventoryId", () => {
  it("reads Flux inventory ids of the workload kinds", () => {
    expect(workloadOfInventoryId("podinfo_podinfo_apps_Deployment")).toEqual({ kind: "Deployment", namespace: "podinfo", name: "podinfo" });
    expect(workloadOfInventoryId("jobs_nightly_batch_CronJob")).toEqual({ kind: "CronJob", namespace: "jobs", name: "nightly" });
  });
  it("ignores other kinds, wrong groups and junk", () => {
    expect(workloadOfInventoryId("default_podinfo__Service")).toBeUndefined();
    expect(workloadOfInventoryId("default_x_extensions_Deployment")).toBeUndefined();
    expect(workloadOfInventoryId("_podinfo_rbac.authorization.k8s.io_ClusterRole")).toBeUndefined();
    expect(workloadOfInventoryId("nonsense")).toBeUndefined();
    expect(workloadOfInventoryId(42)).toBeUndefined();
    expect(workloadOfInventoryId(`a_${"b".repeat(2000)}_apps_Deployment`)).toBeUndefined();
  });
});

describe("pod templates", () => {
  it("reads containers then init containers, CronJobs through the job template", () => {
    const pod = { containers: [{ name: "app", image: "podinfo:6.5.0" }], initContainers: [{ name: "init", image: "busybox" }] };
    expect(containerImages(podSpecOf("Deployment", { spec: { template: { spec: pod } } })).images).toEqual([
      { container: "app", isInit: false, image: "podinfo:6.5.0" },
      { container: "init", isInit: true, image: "busybox" },
    ]);
    expect(containerImages(podSpecOf("CronJob", { spec: { jobTemplate: { spec: { template: { spec: pod } } } } })).total).toBe(2);
    expect(podSpecOf("Deployment", { spec: "junk" })).toBeUndefined();
    expect(containerImages(undefined)).toEqual({ images: [], total: 0 });
  });
  it("caps 500 containers at 50 and counts them all; cuts a 10 KiB image", () => {
    const containers = Array.from({ length: 500 }, (_, i) => ({ name: `c${i}`, image: i === 0 ? "x".repeat(10_240) : `img:${i}` }));
    const { images, total } = containerImages({ containers });
    expect(total).toBe(500);
    expect(images).toHaveLength(50);
    expect(images[0]!.image.length).toBe(512);
    const row = imageValues("cfg", { kind: "Deployment", namespace: "ns", name: "n" }, images[0]!, null);
    expect(row.image.length).toBe(512);
    expect(row.repository.length).toBeLessThanOrEqual(255);
  });
});

describe("Argo CD summary", () => {
  it("takes strings only, deduplicated", () => {
    expect(applicationImages({ status: { summary: { images: ["a:1", "a:1", 3, null, "b:2"] } } })).toEqual({ images: ["a:1", "b:2"], total: 2 });
    expect(applicationImages({ status: { summary: {} } })).toEqual({ images: [], total: 0 });
    expect(applicationImages({})).toEqual({ images: [], total: 0 });
  });
});

describe("deployedChart", () => {
  const release = (history: unknown) => ({ metadata: { name: "redis", namespace: "flux-system" }, status: { history } });
  it("takes the deployed snapshot, not a failed upgrade above it", () => {
    const history = [
      { version: 3, status: "failed", chartName: "redis", chartVersion: "19.0.0", appVersion: "7.4" },
      { version: 2, status: "deployed", chartName: "redis", chartVersion: "18.1.0", appVersion: "7.2", name: "redis", namespace: "cache" },
      { version: 1, status: "superseded", chartName: "redis", chartVersion: "18.0.0" },
    ];
    expect(deployedChart("cfg", release(history))).toEqual({ configurationId: "cfg", releaseNamespace: "cache", releaseName: "redis", chartName: "redis", chartVersion: "18.1.0", appVersion: "7.2" });
  });
  it("has nothing without a deployed snapshot or with junk", () => {
    expect(deployedChart("cfg", release([{ version: 1, status: "failed", chartName: "redis", chartVersion: "1.0.0" }]))).toBeUndefined();
    expect(deployedChart("cfg", release("junk"))).toBeUndefined();
    expect(deployedChart("cfg", { metadata: { name: "x" } })).toBeUndefined();
  });
});

describe("desiredImages", () => {
  it("keys Git's workloads by kind, namespace (targetNamespace first) and name", () => {
    const objects = [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "podinfo" }, spec: { template: { spec: { containers: [{ name: "podinfod", image: "ghcr.io/stefanprodan/podinfo:6.6.0" }] } } } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "podinfo" } },
    ];
    const desired = desiredImages(objects, "default", "podinfo");
    expect([...desired.keys()]).toEqual(["Deployment/podinfo/podinfo"]);
    expect(desired.get("Deployment/podinfo/podinfo")?.get("podinfod")).toBe("ghcr.io/stefanprodan/podinfo:6.6.0");
    expect([...desiredImages(objects, "default").keys()]).toEqual(["Deployment/default/podinfo"]);
  });
});
