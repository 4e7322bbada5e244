// One run of OPA Gatekeeper's audit, as its audit manager (pkg/audit/manager.go) does it:
// list the cluster's objects, review each against every constraint, then write every
// constraint's status: auditTimestamp (the run's start, RFC 3339 in seconds),
// totalViolations (the full count) and violations (the first --constraint-violations-limit,
// removed when there are none). The Rego of the two gatekeeper-library templates is
// re-implemented here, messages included.
import { CONSTRAINTS_GROUP } from "./crds";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";

export const CONSTRAINTS_API = `${CONSTRAINTS_GROUP}/v1beta1`;
/** The constraint kinds the stand-in can evaluate (the templates cluster-setup installs). */
export const CONSTRAINT_KINDS = ["K8sRequiredLabels", "K8sAllowedRepos"] as const;
export type ConstraintKind = (typeof CONSTRAINT_KINDS)[number];

// Gatekeeper truncates each violation message to 256 bytes, the last three being "...".
const MESSAGE_LIMIT = 256;

type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

type Match = {
  // null is read as "" (the schema lets null through: crds/policy.ts).
  kinds?: { apiGroups?: (string | null)[]; kinds?: string[] }[];
  scope?: string;
  namespaces?: string[];
  excludedNamespaces?: string[];
  labelSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  name?: string;
  source?: "All" | "Generated" | "Original";
};

type ConstraintSpec = { enforcementAction?: string; match?: Match; parameters?: Record<string, unknown> };

/** A served kind that can be listed: what discovery says about it. */
type Resource = { group: string; version: string; kind: string; plural: string; namespaced: boolean };

type Reviewed = { obj: KubeObject; resource: Resource; source: "Original" | "Generated" };

type Violation = { group?: string; version: string; kind: string; name: string; namespace?: string; message: string; enforcementAction: string };

export type AuditOptions = {
  violationsLimit: number;
  /**
   * Emulates a Gatekeeper ExpansionTemplate with this name that expands Deployments,
   * StatefulSets and DaemonSets into the Pod of their spec.template: a violation the Pod
   * would have is reported on the workload, its message prefixed "[Implied by <name>]".
   */
  expansionTemplate?: string;
};

/** Gatekeeper's wildcard: a leading and/or trailing "*" (pkg/wildcard). */
export function wildcardMatches(pattern: string, candidate: string): boolean {
  const head = pattern.startsWith("*");
  const tail = pattern.endsWith("*") && pattern.length > 1;
  const core = pattern.slice(head ? 1 : 0, tail ? -1 : undefined);
  if (head && tail) return candidate.includes(core);
  if (head) return candidate.endsWith(core);
  if (tail) return candidate.startsWith(core);
  return pattern === candidate;
}

/** metav1.LabelSelector semantics (matchLabels and the four operators, ANDed). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok =
      operator === "In" ? has && values.includes(labels[key] as string)
      : operator === "NotIn" ? !has || !values.includes(labels[key] as string)
      : operator === "Exists" ? has
      : operator === "DoesNotExist" ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

const isNamespace = (r: Resource): boolean => r.group === "" && r.kind === "Namespace";

function kindSelected(match: Match, group: string, kind: string): boolean {
  const kinds = match.kinds ?? [];
  if (kinds.length === 0) return true;
  return kinds.some((k) => {
    const kindOk = !k.kinds?.length || k.kinds.includes("*") || k.kinds.includes(kind);
    const groups = (k.apiGroups ?? []).map((g) => g ?? "");
    const groupOk = groups.length === 0 || groups.includes("*") || groups.includes(group);
    return kindOk && groupOk;
  });
}

/** pkg/mutation/match Matches: kinds, scope, namespaces, excludedNamespaces, selectors, name, source. */
function matches(match: Match, item: Reviewed, namespaces: Map<string, KubeObject>): boolean {
  const { obj, resource } = item;
  if (!kindSelected(match, resource.group, resource.kind)) return false;
  const ns = obj.metadata.namespace;
  // A Namespace is matched by namespaces/namespaceSelector through its own name and labels.
  const nsName = isNamespace(resource) ? obj.metadata.name : ns;
  if (match.scope === "Cluster" && !(isNamespace(resource) || !ns)) return false;
  if (match.scope === "Namespaced" && (isNamespace(resource) || !ns)) return false;
  if (match.namespaces?.length && nsName !== undefined && !match.namespaces.some((p) => wildcardMatches(p, nsName))) return false;
  if (match.excludedNamespaces?.length && nsName !== undefined && match.excludedNamespaces.some((p) => wildcardMatches(p, nsName))) return false;
  if (match.labelSelector && !selectorMatches(match.labelSelector, obj.metadata.labels ?? {})) return false;
  if (match.namespaceSelector && (isNamespace(resource) || ns)) {
    const labels = isNamespace(resource) ? obj.metadata.labels : namespaces.get(ns ?? "")?.metadata.labels;
    if (!selectorMatches(match.namespaceSelector, labels ?? {})) return false;
  }
  if (match.name && !wildcardMatches(match.name, obj.metadata.name)) return false;
  const source = match.source ?? "All";
  return source === "All" || source === item.source;
}

// Rego's %v: strings quoted, sets as {"a", "b"} (sorted), arrays as ["a", "b"].
const regoList = (values: string[], open: string, close: string): string => `${open}${values.map((v) => JSON.stringify(v)).join(", ")}${close}`;

/** gatekeeper-library general/requiredlabels. */
function requiredLabels(obj: KubeObject, parameters: Record<string, unknown>): string[] {
  const params = parameters as { message?: string; labels?: { key?: string; allowedRegex?: string }[] };
  const labels = obj.metadata.labels ?? {};
  const required = params.labels ?? [];
  const messages = new Set<string>();
  const missing = [...new Set(required.map((l) => l.key).filter((k): k is string => k !== undefined && !(k in labels)))].sort();
  if (missing.length > 0) messages.add(params.message ?? `you must provide labels: ${regoList(missing, "{", "}")}`);
  for (const expected of required) {
    if (expected.key === undefined || !(expected.key in labels) || !expected.allowedRegex) continue;
    const value = labels[expected.key] as string;
    let ok: boolean;
    try {
      // regex.match: RE2, unanchored.
      ok = new RegExp(expected.allowedRegex).test(value);
    } catch {
      continue; // Rego would fail to evaluate: no violation
    }
    if (!ok) messages.add(params.message ?? `Label <${expected.key}: ${value}> does not satisfy allowed regex: ${expected.allowedRegex}`);
  }
  return [...messages];
}

/** gatekeeper-library general/allowedrepos: containers, initContainers and ephemeralContainers of the object's spec. */
function allowedRepos(obj: KubeObject, parameters: Record<string, unknown>): string[] {
  const repos = (parameters as { repos?: string[] }).repos;
  if (!Array.isArray(repos)) return []; // undefined in Rego: the rule does not fire
  const spec = (obj.spec ?? {}) as Record<string, { name?: string; image?: string }[] | undefined>;
  const messages: string[] = [];
  for (const [field, label] of [["containers", "container"], ["initContainers", "initContainer"], ["ephemeralContainers", "ephemeralContainer"]] as const) {
    for (const c of spec[field] ?? []) {
      const image = c.image ?? "";
      if (repos.some((repo) => image.startsWith(repo))) continue;
      messages.push(`${label} <${c.name}> has an invalid image repo <${image}>, allowed repos are ${regoList(repos, "[", "]")}`);
    }
  }
  return messages;
}

const TEMPLATES: Record<ConstraintKind, (obj: KubeObject, parameters: Record<string, unknown>) => string[]> = {
  K8sRequiredLabels: requiredLabels,
  K8sAllowedRepos: allowedRepos,
};

/** The workloads the emulated ExpansionTemplate expands, and the Pod it makes of one. */
const EXPANDED = new Set(["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet"]);
function expandToPod(obj: KubeObject): KubeObject {
  const template = ((obj.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } } | undefined)?.template ?? {});
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, labels: template.metadata?.labels ?? {} },
    spec: template.spec ?? {},
  };
}

function truncate(message: string): string {
  const bytes = Buffer.from(message);
  return bytes.length <= MESSAGE_LIMIT ? message : `${bytes.subarray(0, MESSAGE_LIMIT - 3).toString()}...`;
}

async function json<T>(rest: KubeRest, path: string): Promise<T | undefined> {
  try {
    return await rest.json<T>("GET", path);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

type ResourceList = { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] };

/** Listable kinds of the preferred version of each group that `wanted` accepts (ServerPreferredResources). */
async function discover(rest: KubeRest, wanted: (group: string) => boolean): Promise<Resource[]> {
  const groups = (await json<{ groups: { name: string; preferredVersion: { groupVersion: string } }[] }>(rest, "/apis"))?.groups ?? [];
  const paths = [...(wanted("") ? ["/api/v1"] : []), ...groups.filter((g) => wanted(g.name)).map((g) => `/apis/${g.preferredVersion.groupVersion}`)];
  const lists = await Promise.all(paths.map((p) => json<ResourceList>(rest, p)));
  return lists.flatMap((list) => {
    if (!list) return [];
    const [group, version] = list.groupVersion.includes("/") ? list.groupVersion.split("/") : ["", list.groupVersion];
    return list.resources
      .filter((r) => !r.name.includes("/") && r.verbs.includes("list"))
      .map((r) => ({ group: group as string, version: version as string, kind: r.kind, plural: r.name, namespaced: r.namespaced }));
  });
}

const apiVersionOf = (r: { group: string; version: string }): string => (r.group ? `${r.group}/${r.version}` : r.version);

async function listAll(rest: KubeRest, r: Resource): Promise<KubeObject[]> {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const list = await json<{ items: KubeObject[] }>(rest, `${base}/${r.plural}`);
  return (list?.items ?? []).map((item) => ({ ...item, apiVersion: apiVersionOf(r), kind: r.kind }));
}

/** One audit: reviews with the constraints that exist now, then writes the status of every constraint. */
export async function runAudit(rest: KubeRest, opts: AuditOptions): Promise<void> {
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const constraints = new Map<ConstraintKind, KubeObject[]>();
  for (const kind of CONSTRAINT_KINDS) {
    try {
      constraints.set(kind, (await rest.list(CONSTRAINTS_API, kind)).items);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
  }
  const all = [...constraints.entries()].flatMap(([kind, items]) => items.map((c) => ({ kind, c, spec: (c.spec ?? {}) as ConstraintSpec })));

  // List only what some constraint can select (--audit-match-kind-only; the result is the same).
  const expand = opts.expansionTemplate !== undefined && all.some(({ spec }) => kindSelected(spec.match ?? {}, "", "Pod"));
  const groupWanted = (group: string): boolean =>
    (expand && group === "apps") ||
    all.some(({ spec }) => {
      const kinds = spec.match?.kinds ?? [];
      return kinds.length === 0 || kinds.some((k) => !k.apiGroups?.length || k.apiGroups.some((g) => g === "*" || (g ?? "") === group));
    });
  const resources = all.length === 0 ? [] : (await discover(rest, groupWanted)).filter(
    (r) => (expand && EXPANDED.has(`${r.group}/${r.kind}`)) || all.some(({ spec }) => kindSelected(spec.match ?? {}, r.group, r.kind)),
  );
  const namespaces = new Map((resources.length ? (await rest.list("v1", "Namespace")).items : []).map((n) => [n.metadata.name, n]));

  const total = new Map<string, number>();
  const kept = new Map<string, Violation[]>();
  for (const resource of resources) {
    for (const obj of await listAll(rest, resource).catch(() => [])) {
      const reviewed: Reviewed[] = [{ obj, resource, source: "Original" }];
      const expanded = expand && EXPANDED.has(`${resource.group}/${resource.kind}`);
      if (expanded) reviewed.push({ obj: expandToPod(obj), resource: { group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true }, source: "Generated" });
      for (const { kind, c, spec } of all) {
        for (const item of reviewed) {
          if (!matches(spec.match ?? {}, item, namespaces)) continue;
          const prefix = item.source === "Generated" ? `[Implied by ${opts.expansionTemplate}] ` : "";
          for (const message of TEMPLATES[kind](item.obj, spec.parameters ?? {})) {
            const key = `${kind}/${c.metadata.name}`;
            total.set(key, (total.get(key) ?? 0) + 1);
            const list = kept.get(key) ?? [];
            kept.set(key, list);
            if (list.length >= opts.violationsLimit) continue;
            // Reported on the object the audit listed (the workload, for an expanded Pod).
            list.push({
              group: resource.group,
              version: resource.version,
              kind: resource.kind,
              name: obj.metadata.name,
              ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
              message: truncate(prefix + message),
              enforcementAction: spec.enforcementAction ?? "deny",
            });
          }
        }
      }
    }
  }

  // Like Gatekeeper's update loop, the constraints are listed again for the write: one created
  // since the review gets this run's timestamp and no violations.
  for (const kind of constraints.keys()) {
    const current = (await rest.list(CONSTRAINTS_API, kind)).items;
    await Promise.all(
      current.map(async (c) => {
        const key = `${kind}/${c.metadata.name}`;
        const violations = kept.get(key) ?? [];
        // Gatekeeper sets these three on the status it read and updates it; a merge patch does
        // the same to them (null removes violations) and leaves byPod as it is.
        const status = { auditTimestamp: timestamp, totalViolations: total.get(key) ?? 0, violations: violations.length > 0 ? violations : null };
        try {
          await rest.mergePatch({ apiVersion: CONSTRAINTS_API, kind, name: c.metadata.name }, { status }, "status");
        } catch (err) {
          if (!(err instanceof KubeApiError && err.status === 404)) throw err; // deleted meanwhile
        }
      }),
    );
  }
}
