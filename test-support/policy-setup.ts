// What a `policy` cluster gets besides the CRDs: the ConstraintTemplates behind the two
// constraint kinds (Gatekeeper creates a constraint CRD only for a template) and the
// ClusterRoles Kyverno's chart aggregates into `view` and `admin` for policy reports.
import { TEMPLATES_GROUP } from "./crds";
import type { KubeObject, KubeRest } from "./kube-rest";

const MANAGER = "fleetline-harness";

// Only wgpolicyk8s.io: the chart grants nothing on openreports.io through `view`/`admin`.
function kyvernoReportRoles(): KubeObject[] {
  const role = (access: "view" | "admin", verbs: string[]): KubeObject => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      name: `kyverno:rbac:${access}:policyreports`,
      labels: { "app.kubernetes.io/part-of": "kyverno", [`rbac.authorization.k8s.io/aggregate-to-${access}`]: "true" },
    },
    rules: [{ apiGroups: ["wgpolicyk8s.io"], resources: ["policyreports", "clusterpolicyreports"], verbs }],
  });
  return [role("view", ["get", "list", "watch"]), role("admin", ["create", "delete", "get", "list", "patch", "update", "watch"])];
}

// The templates name their kind and parameters; the Rego is not here: the policy stand-in
// evaluates these two kinds itself (test-support/policy-standin.ts).
function constraintTemplates(): KubeObject[] {
  const template = (kind: string, parameters: Record<string, unknown>): KubeObject => ({
    apiVersion: `${TEMPLATES_GROUP}/v1`,
    kind: "ConstraintTemplate",
    metadata: { name: kind.toLowerCase() },
    spec: {
      crd: { spec: { names: { kind }, validation: { openAPIV3Schema: { type: "object", properties: parameters } } } },
      targets: [{ target: "admission.k8s.gatekeeper.sh", rego: `package ${kind.toLowerCase()}\n# evaluated by the Fleetline policy stand-in\n` }],
    },
  });
  return [
    template("K8sRequiredLabels", {
      message: { type: "string" },
      labels: { type: "array", items: { type: "object", properties: { key: { type: "string" }, allowedRegex: { type: "string" } } } },
    }),
    template("K8sAllowedRepos", { repos: { type: "array", items: { type: "string" } } }),
  ];
}

/** Objects applied with the CRDs (RBAC only: nothing here needs a CRD served yet). */
export const policyInstallObjects = (): KubeObject[] => kyvernoReportRoles();

/** After the CRDs are Established: the templates, reported created as Gatekeeper's controller does. */
export async function installConstraintTemplates(admin: KubeRest): Promise<void> {
  await Promise.all(
    constraintTemplates().map(async (template) => {
      await admin.apply(template, MANAGER);
      await admin.mergePatch({ apiVersion: template.apiVersion, kind: template.kind, name: template.metadata.name }, { status: { created: true } }, "status");
    }),
  );
}
