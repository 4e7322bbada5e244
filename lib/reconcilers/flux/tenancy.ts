import { objectMeta } from "@/lib/reconcilers/labels";
import type { KubeObject, RenderInput } from "./types";

/**
 * Namespace scope that confines (Flux multi-tenancy, as Azure's GitOps enforces it): a
 * namespace-scoped configuration's Kustomizations and HelmReleases name a service account of
 * their own namespace, and the controllers apply as that account (impersonation). The account is
 * bound to the built-in `admin` ClusterRole through a RoleBinding, so its rights end at the
 * namespace: no cluster-scoped objects, nothing in another namespace.
 */

export const RBAC_API_VERSION = "rbac.authorization.k8s.io/v1";
/** The built-in aggregated role: full rights on namespaced objects, read on the namespace itself. */
export const TENANT_CLUSTER_ROLE = "admin";

export function reconcilerServiceAccountName(configurationName: string): string {
  return `${configurationName}-reconciler`;
}

/** The service account a workload of this configuration applies as; undefined when it applies with the controller's rights. */
export function workloadServiceAccount(input: RenderInput, explicit?: string): string | undefined {
  if (input.spec.scope === "namespace") return reconcilerServiceAccountName(input.spec.name);
  return explicit;
}

/** The ServiceAccount and its RoleBinding, applied before the workloads that name the account. */
export function renderTenantAccess(input: RenderInput): KubeObject[] {
  if (input.spec.scope !== "namespace") return [];
  const name = reconcilerServiceAccountName(input.spec.name);
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: objectMeta(input, name) },
    {
      apiVersion: RBAC_API_VERSION,
      kind: "RoleBinding",
      metadata: objectMeta(input, name),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_CLUSTER_ROLE },
      subjects: [{ kind: "ServiceAccount", name, namespace: input.spec.namespace }],
    },
  ];
}
