// Kyverno's background scan and reports controller (1.10 and later), reduced to what ends up
// in the cluster: ONE report per scanned resource, named after the resource's UID, in its
// namespace (a cluster report for a cluster-scoped resource), owned by the resource, with
// `scope` naming it and results that carry no `resources` (the scope is the subject).
// Details follow Kyverno's pkg/utils/report and pkg/controllers/report/aggregate:
//   - the only label is app.kubernetes.io/managed-by: kyverno;
//   - a result is {source: kyverno, policy (a namespaced Policy as <namespace>/<name>), rule,
//     message, result, scored (omitted when false), timestamp {seconds, nanos: 0},
//     properties {process: "background scan"}, category/severity from the policy's
//     annotations}; a failing rule of an unscored policy is reported as warn;
//   - results are sorted by policy, rule, source; summary counts them, all five keys present;
//   - a resource is evaluated again only when it changed (Kyverno hashes labels, annotations
//     and everything outside metadata/status) or the policies changed, so unchanged results
//     keep their timestamp; a report left without results is deleted;
//   - openreports.io reports have a top-level `source`, which Kyverno leaves empty (""); this
//     API server build cannot store "" in a custom resource (crds/policy.ts), so it is absent.
// Kyverno's default resourceFilters apply: nothing in kube-system, kube-public,
// kube-node-lease or kyverno, and no Events, Nodes, ReplicaSets, APIServices, reviews.
import crypto from "node:crypto";
import { OPENREPORTS_API, WGPOLICY_API } from "./crds";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";

export type ReportGroup = "wgpolicyk8s.io" | "openreports.io";
export type Severity = "critical" | "high" | "medium" | "low" | "info";
export type PolicyResult = "pass" | "fail" | "warn" | "error" | "skip";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "kyverno" } as const;

export type KyvernoRule = {
  name: string;
  /** Kinds the rule matches (match.any[].resources.kinds), by apiVersion and kind. */
  kinds: { apiVersion: string; kind: string }[];
  /** The rule's outcome for one object; undefined: the rule does not apply to it (no result). */
  check(obj: KubeObject): { result: PolicyResult; message?: string } | undefined;
};

export type KyvernoPolicy = {
  name: string;
  /** A namespaced Policy: applies in its namespace only and is reported as <namespace>/<name>. Omitted: a ClusterPolicy. */
  namespace?: string;
  /** policies.kyverno.io/category, /severity and /scored annotations (scored defaults to true). */
  category?: string;
  severity?: Severity;
  scored?: boolean;
  rules: KyvernoRule[];
};

export type ReportResult = {
  source: string;
  policy: string;
  rule?: string;
  category?: string;
  severity?: Severity;
  timestamp: { seconds: number; nanos: number };
  result: PolicyResult;
  scored?: boolean;
  resources?: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string }[];
  message?: string;
  properties?: Record<string, string>;
};

export type Summary = Record<PolicyResult, number>;

export function reportKinds(group: ReportGroup): { apiVersion: string; namespaced: string; cluster: string } {
  return group === "openreports.io"
    ? { apiVersion: OPENREPORTS_API, namespaced: "Report", cluster: "ClusterReport" }
    : { apiVersion: WGPOLICY_API, namespaced: "PolicyReport", cluster: "ClusterPolicyReport" };
}

export function summarize(results: ReportResult[]): Summary {
  const summary: Summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result]++;
  return summary;
}

const FILTERED_KINDS = new Set(["Event", "Node", "APIService", "TokenReview", "SubjectAccessReview", "SelfSubjectAccessReview", "Binding", "ReplicaSet", "EphemeralReport", "ClusterEphemeralReport"]);
const FILTERED_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease", "kyverno"]);

function filtered(obj: KubeObject): boolean {
  if (FILTERED_KINDS.has(obj.kind)) return true;
  // [*/*,kube-system,*] also filters the Namespace kube-system itself.
  const namespace = obj.apiVersion === "v1" && obj.kind === "Namespace" ? obj.metadata.name : obj.metadata.namespace;
  return namespace !== undefined && FILTERED_NAMESPACES.has(namespace);
}

/** Kyverno's CalculateResourceHash inputs: labels, annotations, the object without metadata and status. */
function resourceHash(obj: KubeObject): string {
  const { metadata, status: _status, ...rest } = obj;
  void _status;
  return crypto.createHash("md5").update(JSON.stringify([metadata.labels ?? {}, metadata.annotations ?? {}, rest])).digest("hex");
}

const compare = (a: string | undefined, b: string | undefined): number => ((a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0);
export const sortResults = (results: ReportResult[]): ReportResult[] =>
  results.sort((a, b) => compare(a.policy, b.policy) || compare(a.rule, b.rule) || compare(a.source, b.source));

type Evaluated = { hash: string; generation: number; hasResults: boolean };

/**
 * Creates the report, or replaces it whole: Kyverno's Create/Update (no patch). `resourceVersion`
 * is what the caller last saw; on a conflict the current one is read and the update tried again.
 */
export async function putReport(rest: KubeRest, report: KubeObject, resourceVersion?: string): Promise<void> {
  const path = await rest.path(report.apiVersion, report.kind, report.metadata.namespace);
  for (let attempt = 1; ; attempt++) {
    try {
      if (resourceVersion === undefined) await rest.json("POST", path, { body: report });
      else await rest.json("PUT", `${path}/${encodeURIComponent(report.metadata.name)}`, { body: { ...report, metadata: { ...report.metadata, resourceVersion } } });
      return;
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409) || attempt >= 3) throw err;
      resourceVersion = (await rest.get(report.apiVersion, report.kind, report.metadata.namespace, report.metadata.name))?.metadata.resourceVersion;
    }
  }
}

/** The scanning state of one stand-in: which resources were evaluated against which policy set. */
export class KyvernoScanner {
  private policies: KyvernoPolicy[] = [];
  private generation = 0;
  private readonly evaluated = new Map<string, Evaluated>();

  constructor(
    private readonly rest: KubeRest,
    private readonly group: ReportGroup,
  ) {}

  setPolicies(policies: KyvernoPolicy[]): void {
    this.policies = policies;
    this.generation++;
  }

  private async listKind(apiVersion: string, kind: string): Promise<KubeObject[]> {
    try {
      return (await this.rest.list(apiVersion, kind)).items;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return []; // kind not served
      throw err;
    }
  }

  private results(obj: KubeObject, seconds: number): ReportResult[] {
    const results: ReportResult[] = [];
    for (const policy of this.policies) {
      if (policy.namespace !== undefined && obj.metadata.namespace !== policy.namespace) continue;
      const scored = policy.scored ?? true;
      for (const rule of policy.rules) {
        if (!rule.kinds.some((k) => k.apiVersion === obj.apiVersion && k.kind === obj.kind)) continue;
        const outcome = rule.check(obj);
        if (!outcome) continue;
        const message =
          outcome.message ?? (outcome.result === "pass" ? `validation rule '${rule.name}' passed.` : `validation error: rule ${rule.name} failed`);
        results.push({
          source: "kyverno",
          policy: policy.namespace !== undefined ? `${policy.namespace}/${policy.name}` : policy.name,
          rule: rule.name,
          ...(message ? { message } : {}), // omitempty
          properties: { process: "background scan" },
          result: outcome.result === "fail" && !scored ? "warn" : outcome.result,
          ...(scored ? { scored: true } : {}),
          timestamp: { seconds, nanos: 0 },
          ...(policy.category ? { category: policy.category } : {}),
          ...(policy.severity ? { severity: policy.severity } : {}),
        });
      }
    }
    return sortResults(results);
  }

  private report(obj: KubeObject, namespaced: boolean, results: ReportResult[]): KubeObject {
    const kinds = reportKinds(this.group);
    const uid = obj.metadata.uid as string;
    return {
      apiVersion: kinds.apiVersion,
      kind: namespaced ? kinds.namespaced : kinds.cluster,
      metadata: {
        name: uid,
        ...(namespaced ? { namespace: obj.metadata.namespace } : {}),
        labels: { ...MANAGED_BY },
        ownerReferences: [{ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, uid }],
      } as KubeObject["metadata"],
      scope: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, ...(namespaced ? { namespace: obj.metadata.namespace } : {}), uid },
      ...(this.group === "openreports.io" ? { source: "" } : {}),
      summary: summarize(results),
      results,
    };
  }

  /** Kyverno-managed reports of this group now in the cluster, by name (the scope's UID). */
  private async managedReports(): Promise<Map<string, KubeObject>> {
    const kinds = reportKinds(this.group);
    // resourceVersion=0: from the watch cache, so large foreign reports (writeBulkReport) are not
    // read from etcd on every scan. It may lag our own last writes: putReport copes with conflicts.
    const selector = new URLSearchParams({ labelSelector: "app.kubernetes.io/managed-by=kyverno", resourceVersion: "0" });
    const found = new Map<string, KubeObject>();
    for (const kind of [kinds.namespaced, kinds.cluster]) {
      const list = await this.rest.json<{ items: KubeObject[] }>("GET", `${await this.rest.path(kinds.apiVersion, kind)}?${selector}`);
      for (const item of list.items) found.set(item.metadata.name, { ...item, apiVersion: kinds.apiVersion, kind });
    }
    return found;
  }

  /** One scan: evaluates new and changed resources (all of them after a policy change) and writes their reports. */
  async scan(): Promise<void> {
    const seconds = Math.floor(Date.now() / 1000);
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const policy of this.policies) for (const rule of policy.rules) for (const k of rule.kinds) kinds.set(`${k.apiVersion}/${k.kind}`, k);
    const existing = await this.managedReports();
    const live = new Set<string>();
    for (const { apiVersion, kind } of kinds.values()) {
      const { namespaced } = await this.rest.resourceFor(apiVersion, kind).catch(() => ({ namespaced: false }));
      for (const obj of await this.listKind(apiVersion, kind)) {
        const uid = obj.metadata.uid as string;
        if (filtered(obj) || live.has(uid)) continue;
        live.add(uid);
        const hash = resourceHash(obj);
        const before = this.evaluated.get(uid);
        if (before && before.hash === hash && before.generation === this.generation) continue;
        const results = this.results(obj, seconds);
        if (results.length > 0) await putReport(this.rest, this.report(obj, namespaced, results), existing.get(uid)?.metadata.resourceVersion);
        this.evaluated.set(uid, { hash, generation: this.generation, hasResults: results.length > 0 });
      }
    }
    // Reports of deleted resources (garbage collection would take them: nothing runs it here)
    // and reports left without results go.
    for (const [uid, report] of existing) {
      if (live.has(uid) && this.evaluated.get(uid)?.hasResults) continue;
      this.evaluated.delete(uid);
      await this.rest.remove({ apiVersion: report.apiVersion, kind: report.kind, namespace: report.metadata.namespace, name: report.metadata.name });
    }
  }
}
