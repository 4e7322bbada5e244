// Policy engines' kinds: OPA Gatekeeper's ConstraintTemplate and two constraint kinds as
// Gatekeeper generates them from the gatekeeper-library templates, and the policy report
// kinds (wgpolicyk8s.io/v1alpha2 and its successor openreports.io/v1alpha1) that Kyverno
// writes. Shapes follow the upstream Go types and generated CRDs; no upstream file is copied.
import {
  anyJson,
  arr,
  bool,
  crd,
  date,
  int,
  int64,
  obj,
  oneOf,
  str,
  strings,
  strMap,
  type CustomResourceDefinition,
  type PrinterColumn,
  type Schema,
} from "./schema";

export const CONSTRAINTS_GROUP = "constraints.gatekeeper.sh";
export const TEMPLATES_GROUP = "templates.gatekeeper.sh";

/** crd() serves namespaced kinds; Gatekeeper's kinds and the cluster-wide reports are cluster-scoped. */
function clusterScoped(def: CustomResourceDefinition): CustomResourceDefinition {
  return { ...def, spec: { ...def.spec, scope: "Cluster" } };
}

/** Keeps what the typed properties do not list, as upstream does for status written by controllers. */
const open = (schema: Schema): Schema => ({ ...schema, "x-kubernetes-preserve-unknown-fields": true });

const labelSelector = (): Schema =>
  obj({
    matchLabels: strMap(),
    matchExpressions: arr(obj({ key: str(), operator: str(), values: strings() }, ["key", "operator"])),
  });

// Gatekeeper's wildcard: a name with an optional leading and/or trailing "*".
const WILDCARD = "^\\*?[-:a-z0-9]*\\*?$";

// The API server build in shared/envtest validates "" in a custom resource as if it were null
// (it still stores and serves ""), so a string field that rightly holds "" (the core group,
// openreports' report-level source as Kyverno leaves it) is refused unless nullable. Upstream
// declares plain strings there (and Gatekeeper's status is not typed at all).
const emptyable = (): Schema => Object.assign(str(), { nullable: true });

/** The `match` block every constraint kind shares (Gatekeeper's pkg/mutation/match Match). */
const match = (): Schema =>
  obj({
    kinds: arr(obj({ apiGroups: arr(emptyable()), kinds: strings() })),
    scope: str(),
    namespaces: arr(str({ pattern: WILDCARD })),
    excludedNamespaces: arr(str({ pattern: WILDCARD })),
    labelSelector: labelSelector(),
    namespaceSelector: labelSelector(),
    name: str({ pattern: WILDCARD }),
    source: oneOf("All", "Generated", "Original"),
  });

/**
 * What the audit writes (Gatekeeper's StatusViolation: group and version always, namespace only
 * for namespaced objects) and what the status controller writes (byPod). Upstream declares
 * status free-form; the typed fields here document the shape, nothing is pruned.
 */
const constraintStatus = (): Schema =>
  open(
    obj({
      auditTimestamp: date(),
      totalViolations: int64(),
      violations: arr(
        open(obj({ group: emptyable(), version: str(), kind: str(), name: str(), namespace: str(), message: str(), enforcementAction: str(), enforcementActions: strings() })),
      ),
      byPod: arr(open({ type: "object" })),
    }),
  );

/** A constraint CRD as Gatekeeper's frameworks generate one from a ConstraintTemplate. */
function constraintKind(kind: string, parameters: Schema): CustomResourceDefinition {
  const plural = kind.toLowerCase();
  return clusterScoped(
    crd({
      group: CONSTRAINTS_GROUP,
      version: "v1beta1",
      kind,
      plural,
      singular: plural,
      categories: ["constraint", "constraints"],
      labels: { "gatekeeper.sh/constraint": "yes" },
      columns: [
        { name: "enforcement-action", type: "string", jsonPath: ".spec.enforcementAction" },
        { name: "total-violations", type: "integer", jsonPath: ".status.totalViolations" },
      ],
      properties: {
        metadata: obj({ name: str({ maxLength: 63 }) }),
        spec: obj({
          enforcementAction: str({ default: "deny" }),
          scopedEnforcementActions: arr(obj({ action: str(), enforcementPoints: arr(obj({ name: str() })) })),
          match: match(),
          parameters,
        }),
        status: constraintStatus(),
      },
    }),
  );
}

// Parameters as the gatekeeper-library templates declare them (their openAPIV3Schema).
const k8sRequiredLabels = constraintKind(
  "K8sRequiredLabels",
  obj({ message: str(), labels: arr(obj({ key: str(), allowedRegex: str() })) }),
);
const k8sAllowedRepos = constraintKind("K8sAllowedRepos", obj({ repos: strings() }));

const constraintTemplate = clusterScoped(
  crd({
    group: TEMPLATES_GROUP,
    version: "v1",
    kind: "ConstraintTemplate",
    plural: "constrainttemplates",
    singular: "constrainttemplate",
    labels: { "gatekeeper.sh/system": "yes" },
    columns: [],
    properties: {
      spec: obj({
        crd: obj({
          spec: obj({
            names: obj({ kind: str(), shortNames: strings() }),
            validation: obj({ legacySchema: bool(), openAPIV3Schema: open({ type: "object" }) }),
          }),
        }),
        targets: arr(
          obj({
            target: str(),
            rego: str(),
            libs: strings(),
            code: arr(obj({ engine: str(), source: anyJson() }, ["engine", "source"])),
            operations: arr(oneOf("*", "CREATE", "DELETE", "UPDATE", "CONNECT")),
          }),
        ),
      }),
      status: obj({
        created: bool(),
        byPod: arr(open(obj({ id: str(), observedGeneration: int64(), errors: arr(obj({ code: str(), message: str(), location: str() }, ["code", "message"])) }))),
      }),
    },
  }),
);

const objectReference = (): Schema =>
  obj({ apiVersion: str(), kind: str(), name: str(), namespace: str(), uid: str(), resourceVersion: str(), fieldPath: str() });

/** One result; the field names are the same in both report groups (openreports calls `resources` Subjects in Go). */
const reportResult = (): Schema =>
  obj(
    {
      source: str(),
      policy: str(),
      rule: str(),
      category: str(),
      severity: oneOf("critical", "high", "low", "medium", "info"),
      timestamp: obj({ seconds: int64(), nanos: { type: "integer", format: "int32" } }, ["nanos", "seconds"]),
      result: oneOf("pass", "fail", "warn", "error", "skip"),
      scored: bool(),
      resources: arr(objectReference()),
      resourceSelector: labelSelector(),
      message: str(),
      properties: strMap(),
    },
    ["policy"],
  );

const summary = (): Schema => obj({ pass: int(), fail: int(), warn: int(), error: int(), skip: int() });

const reportColumns = (namePriority?: number): PrinterColumn[] => [
  { name: "Kind", type: "string", jsonPath: ".scope.kind", ...(namePriority ? { priority: namePriority } : {}) },
  { name: "Name", type: "string", jsonPath: ".scope.name", ...(namePriority ? { priority: namePriority } : {}) },
  { name: "Pass", type: "integer", jsonPath: ".summary.pass" },
  { name: "Fail", type: "integer", jsonPath: ".summary.fail" },
  { name: "Warn", type: "integer", jsonPath: ".summary.warn" },
  { name: "Error", type: "integer", jsonPath: ".summary.error" },
  { name: "Skip", type: "integer", jsonPath: ".summary.skip" },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];

// Reports keep their fields at the top level and have no status subresource.
const reportProperties = (): Record<string, Schema> => ({
  scope: objectReference(),
  scopeSelector: labelSelector(),
  summary: summary(),
  results: arr(reportResult()),
});

type ReportKind = { group: string; version: string; kind: string; plural: string; shortName: string; cluster: boolean };

function reportKind(k: ReportKind, extra: Record<string, Schema>, namePriority?: number): CustomResourceDefinition {
  const def = crd({
    group: k.group,
    version: k.version,
    kind: k.kind,
    plural: k.plural,
    singular: k.kind.toLowerCase(),
    shortNames: [k.shortName],
    labels: {},
    statusSubresource: false,
    columns: reportColumns(namePriority),
    properties: { ...reportProperties(), ...extra },
  });
  return k.cluster ? clusterScoped(def) : def;
}

export const WGPOLICY_API = "wgpolicyk8s.io/v1alpha2";
export const OPENREPORTS_API = "openreports.io/v1alpha1";

const wgpolicy = { group: "wgpolicyk8s.io", version: "v1alpha2" };
const openreports = { group: "openreports.io", version: "v1alpha1" };
// openreports.io adds a report-level source and the generator/consumer contract (configuration.limits).
const openreportsExtra = (): Record<string, Schema> => ({
  source: emptyable(),
  configuration: obj(
    { limits: obj({ maxResults: int(), statusFilter: arr(oneOf("pass", "fail", "warn", "error", "skip")) }) },
    ["limits"],
  ),
});

export const policyCrds: CustomResourceDefinition[] = [
  constraintTemplate,
  k8sRequiredLabels,
  k8sAllowedRepos,
  reportKind({ ...wgpolicy, kind: "PolicyReport", plural: "policyreports", shortName: "polr", cluster: false }, {}),
  reportKind({ ...wgpolicy, kind: "ClusterPolicyReport", plural: "clusterpolicyreports", shortName: "cpolr", cluster: true }, {}),
  // openreports prints Kind and Name only in wide output (priority 1).
  reportKind({ ...openreports, kind: "Report", plural: "reports", shortName: "reps", cluster: false }, openreportsExtra(), 1),
  reportKind({ ...openreports, kind: "ClusterReport", plural: "clusterreports", shortName: "creps", cluster: true }, openreportsExtra(), 1),
];
