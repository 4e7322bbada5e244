import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configurationSpecSchema, type ConfigurationSpecInput } from "@/lib/validation/configuration";
import { UnresolvedVariableError } from "@/lib/validation/cluster-variables";
import { renderArgoObjects } from "./argo/render";
import { clusterRenderKey, dependsOnCluster, describeOrigin, resolveClusterValues, type ClusterFacts } from "./cluster-values";
import { renderFluxObjects, toYaml } from "./flux/render";
import type { KubeObject, RenderInput } from "./flux/types";

const spec = configurationSpecSchema.parse({
  name: "web",
  scope: "cluster",
  source: { kind: "GitRepository", url: "https://github.com/acme/fleet", ref: { type: "branch", value: "main" } },
  kustomizations: [{ name: "apps", path: "apps", postBuild: { substitute: { CLUSTER: "${cluster_name}", REGION: "${cluster_label_topology_kubernetes_io_region}", SIZE: "small" } } }],
  helmReleases: [
    {
      name: "ingress",
      chart: "charts/ingress",
      values: "host: ${cluster_name}.example.com\nreplicas: 2\nresources:\n  limits:\n    cpu: 100m\n    memory: 128Mi\nannotations:\n  owner: ${cluster_reconciler}\nlist: [a, b]\n",
    },
  ],
  targets: { selector: { matchLabels: { env: "prod" } } },
  overrides: [
    // 1: every EU cluster
    { selector: { matchLabels: { "topology.kubernetes.io/region": "eu-west" } }, substitute: { SIZE: "medium" }, helmValues: { ingress: "replicas: 3\nresources:\n  limits:\n    cpu: 200m\nlist: [c]\n" } },
    // 2: one cluster; listed before 3 but applied after it (cluster-specific last)
    { clusterId: "c-paris", substitute: { SIZE: "large" }, helmValues: { ingress: "replicas: 5\nannotations: null\n" } },
    // 3: every large cluster
    { selector: { matchLabels: { size: "large" } }, substitute: { SIZE: "xl", EXTRA: "${cluster_label_size}" }, helmValues: { ingress: "replicas: 4\n" } },
  ],
} satisfies ConfigurationSpecInput);

const paris: ClusterFacts = { id: "c-paris", name: "paris", labels: { env: "prod", "topology.kubernetes.io/region": "eu-west", size: "large" }, reconciler: "flux" };
const dublin: ClusterFacts = { id: "c-dublin", name: "dublin", labels: { env: "prod", "topology.kubernetes.io/region": "eu-west" }, reconciler: "flux" };
const ohio: ClusterFacts = { id: "c-ohio", name: "ohio", labels: { env: "prod", "topology.kubernetes.io/region": "us-east" }, reconciler: "argocd" };
const bare: ClusterFacts = { id: "c-bare", name: "bare", labels: { env: "prod" }, reconciler: "flux" };

const input = (cluster?: ClusterFacts): RenderInput => ({ spec, version: 3, configurationId: "cfg_1", ...(cluster ? { cluster } : {}) });
const find = (objects: KubeObject[], kind: string) => objects.find((o) => o.kind === kind)!;

describe("resolveClusterValues", () => {
  it("resolves the cluster variables with each cluster's facts", () => {
    const values = resolveClusterValues(spec, ohio);
    expect(values.substitutions.get("apps")).toEqual({ CLUSTER: "ohio", REGION: "us-east", SIZE: "small" });
    expect(values.helmValues.get("ingress")).toMatchObject({ host: "ohio.example.com", annotations: { owner: "argocd" } });
    expect(values.applied).toEqual([]);
  });

  it("applies selector overrides in list order, then cluster-specific ones: the later wins", () => {
    const values = resolveClusterValues(spec, paris);
    expect(values.applied).toEqual([1, 3, 2]);
    expect(values.substitutions.get("apps")).toEqual({ CLUSTER: "paris", REGION: "eu-west", SIZE: "large", EXTRA: "large" });
    expect(values.helmValues.get("ingress")?.replicas).toBe(5);
  });

  it("deep-merges Helm values: mappings merge, lists replace, null deletes", () => {
    const dublinValues = resolveClusterValues(spec, dublin).helmValues.get("ingress");
    expect(dublinValues).toEqual({
      host: "dublin.example.com",
      replicas: 3,
      resources: { limits: { cpu: "200m", memory: "128Mi" } },
      annotations: { owner: "flux" },
      list: ["c"],
    });
    expect(resolveClusterValues(spec, paris).helmValues.get("ingress")).not.toHaveProperty("annotations");
  });

  it("reports where each value comes from", () => {
    const origins = Object.fromEntries(resolveClusterValues(spec, paris).entries.map((e) => [`${e.object} ${e.key}`, `${e.value} <- ${describeOrigin(e.origin)}`]));
    expect(origins).toEqual({
      "Kustomization apps CLUSTER": "paris <- base",
      "Kustomization apps REGION": "eu-west <- base",
      "Kustomization apps SIZE": "large <- override 2 (this cluster)",
      "Kustomization apps EXTRA": "large <- override 3",
      "Helm release ingress host": "paris.example.com <- base",
      "Helm release ingress replicas": "5 <- override 2 (this cluster)",
      "Helm release ingress resources.limits.cpu": "200m <- override 1",
      "Helm release ingress resources.limits.memory": "128Mi <- base",
      "Helm release ingress list": '["c"] <- override 1',
    });
  });

  it("fails a cluster that lacks a label a value uses, naming the variable and the cluster", () => {
    expect(() => resolveClusterValues(spec, bare)).toThrow(UnresolvedVariableError);
    expect(() => resolveClusterValues(spec, bare)).toThrow(/\$\{cluster_label_topology_kubernetes_io_region\} cannot be resolved on cluster bare: it has no label/);
  });

  it("refuses to guess when two label keys normalise to one variable", () => {
    const clash: ClusterFacts = { ...dublin, labels: { ...dublin.labels, "topology-kubernetes-io/region": "x" } };
    expect(() => resolveClusterValues(spec, clash)).toThrow(/labels topology-kubernetes-io\/region and topology\.kubernetes\.io\/region both normalise/);
  });

  it("keys renders by cluster only when the spec depends on it", () => {
    const plain = configurationSpecSchema.parse({ ...spec, overrides: [], kustomizations: [{ name: "apps" }], helmReleases: [] });
    expect(dependsOnCluster(plain)).toBe(false);
    expect(clusterRenderKey(plain, paris)).toBe(clusterRenderKey(plain, ohio));
    expect(clusterRenderKey(spec, paris)).not.toBe(clusterRenderKey(spec, dublin));
  });
});

describe("per-cluster rendering", () => {
  it("renders the version as written without a cluster, and each cluster's own values with one", () => {
    const written = renderFluxObjects(input());
    expect(find(written, "Kustomization").spec?.postBuild).toEqual({ substitute: spec.kustomizations[0]!.postBuild.substitute });
    const forParis = renderFluxObjects(input(paris));
    const forDublin = renderFluxObjects(input(dublin));
    expect(find(forParis, "Kustomization").spec?.postBuild).toEqual({ substitute: { CLUSTER: "paris", REGION: "eu-west", SIZE: "large", EXTRA: "large" } });
    expect(find(forDublin, "HelmRelease").spec?.values).toMatchObject({ host: "dublin.example.com", replicas: 3 });
  });

  it("throws for the one cluster that cannot resolve a variable", () => {
    expect(() => renderFluxObjects(input(bare))).toThrow(/cluster_label_topology_kubernetes_io_region.*cluster bare/);
    expect(() => renderFluxObjects(input(dublin))).not.toThrow();
  });

  it("gives an Argo CD cluster the same Helm values", () => {
    const objects = renderArgoObjects(input(ohio));
    const helm = objects.find((o) => o.metadata.name === "web-ingress");
    expect(helm?.spec).toMatchObject({ source: { path: "charts/ingress", helm: { valuesObject: { host: "ohio.example.com", replicas: 2, annotations: { owner: "argocd" } } } } });
  });

  // UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
  it.each([
    ["per-cluster-paris.yaml", paris],
    ["per-cluster-dublin.yaml", dublin],
  ] as const)("matches __golden__/%s", (file, cluster) => {
    const path = fileURLToPath(new URL(`./__golden__/${file}`, import.meta.url));
    const yaml = toYaml(renderFluxObjects(input(cluster)));
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, yaml);
    if (!existsSync(path)) throw new Error(`missing golden ${file}: run the tests with UPDATE_GOLDEN=1`);
    expect(yaml).toBe(readFileSync(path, "utf8"));
  });
});
