// What a fresh test cluster gets after /readyz: the viewer's RBAC, the
// Flux/Argo CD (and, opted in, policy engine) CRDs (Established before we
// return) and the namespaces and objects a real installation would have.
import { argoCrds, FLUX_VERSION, fluxCrds, fluxLabels, policyCrds, type CustomResourceDefinition } from "./crds";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";
import { installConstraintTemplates, policyInstallObjects } from "./policy-setup";
import { pollUntil } from "./process-guard";

const MANAGER = "fleetline-harness";

// Image tags of the controllers shipped with FLUX_VERSION, as `flux install` would deploy them.
const FLUX_CONTROLLERS: Record<string, string> = {
  "source-controller": "v1.7.0",
  "kustomize-controller": "v1.7.0",
  "helm-controller": "v1.4.0",
  "notification-controller": "v1.7.0",
};

/** Argo CD release the `--argo` clusters pretend to run: its one image, as install.yaml deploys it. */
export const ARGO_VERSION = "v2.13.2";

// install.yaml's core workloads: the application controller is a StatefulSet, the rest Deployments.
const ARGO_WORKLOADS: { kind: "Deployment" | "StatefulSet"; name: string; component: string }[] = [
  { kind: "StatefulSet", name: "argocd-application-controller", component: "application-controller" },
  { kind: "Deployment", name: "argocd-repo-server", component: "repo-server" },
  { kind: "Deployment", name: "argocd-server", component: "server" },
];

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels },
});

function viewerRbac(): KubeObject[] {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "fleetline:viewer" },
      rules: [
        { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] },
        { nonResourceURLs: ["*"], verbs: ["get"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "fleetline:viewer" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "fleetline:viewer" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "viewer" }],
    },
  ];
}

/** Controller Deployments as `flux install` creates them, reported available (nothing runs them here). */
function fluxControllers(): KubeObject[] {
  return Object.entries(FLUX_CONTROLLERS).map(([name, tag]) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "flux-system", labels: { ...fluxLabels(name), "control-plane": "controller" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "manager", image: `ghcr.io/fluxcd/${name}:${tag}` }] },
      },
    },
  }));
}

/** Argo CD's controllers as install.yaml labels them (no app.kubernetes.io/version: only the Helm chart sets it). */
function argoWorkloads(): KubeObject[] {
  return ARGO_WORKLOADS.map(({ kind, name, component }) => ({
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace: "argocd", labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": "argocd" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      ...(kind === "StatefulSet" ? { serviceName: name } : {}),
      template: {
        metadata: { labels: { "app.kubernetes.io/name": name } },
        spec: { containers: [{ name: component === "server" ? "argocd-server" : name, image: `quay.io/argoproj/argocd:${ARGO_VERSION}` }] },
      },
    },
  }));
}

async function markAvailable(rest: KubeRest, workload: KubeObject): Promise<void> {
  const now = new Date().toISOString();
  const counts = { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1 };
  if (workload.kind === "StatefulSet") {
    await rest.mergePatch({ apiVersion: "apps/v1", kind: "StatefulSet", namespace: workload.metadata.namespace, name: workload.metadata.name }, { status: { ...counts, currentReplicas: 1, availableReplicas: 1 } }, "status");
    return;
  }
  await rest.mergePatch(
    { apiVersion: "apps/v1", kind: "Deployment", namespace: workload.metadata.namespace, name: workload.metadata.name },
    {
      status: {
        ...counts,
        availableReplicas: 1,
        conditions: [
          { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", lastUpdateTime: now, lastTransitionTime: now },
        ],
      },
    },
    "status",
  );
}

async function waitEstablished(rest: KubeRest, crds: CustomResourceDefinition[]): Promise<void> {
  await Promise.all(
    crds.map((crd) =>
      pollUntil(`CRD ${crd.metadata.name} Established`, 30_000, 100, async () => {
        const live = await rest.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, crd.metadata.name);
        const conditions = (live?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
        if (!conditions.some((c) => c.type === "Established" && c.status === "True")) return undefined;
        // Discovery follows Established by a moment; clients resolve kinds through it.
        const spec = crd.spec as { group: string; names: { kind: string }; versions: { name: string }[] };
        await rest.resourceFor(`${spec.group}/${spec.versions[0]?.name}`, spec.names.kind);
        return true;
      }),
    ),
  );
}

type PolicyRule = Record<string, unknown>;
type ClusterRole = KubeObject & { rules?: PolicyRule[]; aggregationRule?: { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] } };

/**
 * What kube-controller-manager's clusterrole-aggregation controller does (nothing runs it here):
 * an aggregated ClusterRole (admin, edit, view) gets the rules of every ClusterRole its selectors
 * match. Without it `admin` is empty and a RoleBinding to it grants nothing. Repeated until
 * nothing changes, since view feeds edit and edit feeds admin.
 */
export async function aggregateClusterRoles(admin: KubeRest): Promise<void> {
  for (let pass = 0; pass < 5; pass++) {
    const roles = (await admin.list("rbac.authorization.k8s.io/v1", "ClusterRole")).items as ClusterRole[];
    let changed = false;
    for (const role of roles) {
      const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
      if (selectors.length === 0) continue;
      const matches = (other: ClusterRole) =>
        other !== role && selectors.some((sel) => Object.entries(sel.matchLabels ?? {}).every(([key, value]) => other.metadata.labels?.[key] === value));
      const seen = new Set<string>();
      const rules: PolicyRule[] = [];
      for (const other of roles.filter(matches).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
        for (const rule of other.rules ?? []) {
          const key = JSON.stringify(rule);
          if (!seen.has(key)) rules.push(rule);
          seen.add(key);
        }
      }
      if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) continue;
      await admin.mergePatch({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: role.metadata.name }, { rules });
      changed = true;
    }
    if (!changed) return;
  }
}

export async function bootstrapCluster(
  admin: KubeRest,
  viewer: KubeRest,
  opts: { flux: boolean; argo: boolean; policy?: boolean },
): Promise<void> {
  const crds = [...(opts.flux ? fluxCrds : []), ...(opts.argo ? argoCrds : []), ...(opts.policy ? policyCrds : [])];
  const objects: KubeObject[] = [...viewerRbac(), ...(crds as unknown as KubeObject[]), ...(opts.policy ? policyInstallObjects() : [])];
  if (opts.flux) objects.push(namespace("flux-system", { "app.kubernetes.io/instance": "flux-system", "app.kubernetes.io/part-of": "flux", "app.kubernetes.io/version": FLUX_VERSION }));
  if (opts.argo) objects.push(namespace("argocd"));
  await Promise.all(objects.map((o) => admin.apply(o, MANAGER)));

  const workloads = [...(opts.flux ? fluxControllers() : []), ...(opts.argo ? argoWorkloads() : [])];
  await Promise.all(
    workloads.map(async (workload) => {
      await admin.apply(workload, MANAGER);
      await markAvailable(admin, workload);
    }),
  );
  await waitEstablished(admin, crds);
  // Kyverno's report roles aggregate into view and admin (policyInstallObjects).
  await aggregateClusterRoles(admin);
  if (opts.policy) await installConstraintTemplates(admin);
  if (opts.argo) {
    await admin.apply(
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: { name: "default", namespace: "argocd" },
        spec: { sourceRepos: ["*"], destinations: [{ server: "*", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] },
      },
      MANAGER,
    );
  }
  // The RBAC authorizer learns about the new binding through an informer; wait for it,
  // and for the bootstrap controller's "default" namespace tests rely on.
  await pollUntil("viewer RBAC and namespace default", 30_000, 100, async () => {
    try {
      await viewer.json("GET", "/api/v1/namespaces/default");
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return undefined;
      throw err;
    }
  });
}
