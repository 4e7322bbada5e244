// Self-tests of the policy kinds and the policy stand-in against a real API server:
// structural pruning, Gatekeeper's audit status (and byPod), Kyverno's per-resource
// reports in both report groups, and the bulk report writer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type TestCluster } from "./cluster";
import { KubeApiError, type KubeObject, type KubeRest } from "./kube-rest";
import { startPolicyStandIn, type KyvernoPolicy, type PolicyStandIn, type ReportResult } from "./policy-standin";
import { pollUntil, sleep } from "./process-guard";

const CONSTRAINTS = "constraints.gatekeeper.sh/v1beta1";
const WG = "wgpolicyk8s.io/v1alpha2";
const OR = "openreports.io/v1alpha1";
const AUDIT_INTERVAL_MS = 400;
const LIMIT = 3;
const EXPANSION = "expand-deployments";

type Violation = { group?: string; version: string; kind: string; name: string; namespace?: string; message: string; enforcementAction: string };
type ConstraintStatus = { auditTimestamp?: string; totalViolations?: number; violations?: Violation[]; byPod?: { id: string; observedGeneration: number; enforced: boolean; constraintUID: string; operations: string[] }[] };
const st = (c: KubeObject): ConstraintStatus => (c.status ?? {}) as ConstraintStatus;
type Report = KubeObject & { scope?: Record<string, string>; source?: string; summary: Record<string, number>; results: ReportResult[] };

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const constraint = (kind: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: CONSTRAINTS, kind, metadata: { name }, spec });

describe("policy stand-in", () => {
  let cluster: TestCluster;
  let rest: KubeRest;
  let policy: PolicyStandIn;

  beforeAll(async () => {
    cluster = await startCluster({ flux: false, policy: true });
    rest = cluster.rest();
    policy = await startPolicyStandIn(cluster, { auditIntervalMs: AUDIT_INTERVAL_MS, violationsLimit: LIMIT, expansionTemplate: EXPANSION, scanIntervalMs: 0 });
    // Audits only on demand until the interval test resumes them.
    policy.pause();
  });
  afterAll(async () => {
    await policy?.stop();
    await cluster?.stop();
  });

  const getConstraint = async (kind: string, name: string): Promise<KubeObject> => (await rest.get(CONSTRAINTS, kind, undefined, name)) as KubeObject;
  const create = (obj: KubeObject): Promise<KubeObject> =>
    rest.path(obj.apiVersion, obj.kind, obj.metadata.namespace).then((path) => rest.json<KubeObject>("POST", path, { body: obj }));

  it("installs the kinds with upstream's scopes and templates, and prunes misspelled fields", async () => {
    const scopes: Record<string, string> = {};
    for (const name of ["constrainttemplates.templates.gatekeeper.sh", "k8srequiredlabels.constraints.gatekeeper.sh", "k8sallowedrepos.constraints.gatekeeper.sh", "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io", "reports.openreports.io", "clusterreports.openreports.io"]) {
      scopes[name] = ((await rest.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, name))?.spec as { scope: string }).scope;
    }
    expect(Object.values(scopes)).toEqual(["Cluster", "Cluster", "Cluster", "Namespaced", "Cluster", "Namespaced", "Cluster"]);
    const templates = (await rest.list("templates.gatekeeper.sh/v1", "ConstraintTemplate")).items;
    expect(templates.map((t) => [t.metadata.name, (t.status as { created?: boolean }).created])).toEqual([["k8sallowedrepos", true], ["k8srequiredlabels", true]]);

    const created = await create(
      constraint("K8sRequiredLabels", "typo", {
        enforcmentAction: "dryrun",
        match: { kindz: ["Pod"], kinds: [{ apiGroups: [""], kinds: ["Namespace"], kind: "x" }] },
        parameters: { labels: [{ key: "owner", kee: "x" }], lables: [] },
      }),
    );
    // The misspellings are gone, enforcementAction has Gatekeeper's schema default, and "" (the core group) stays.
    expect(created.spec).toEqual({ enforcementAction: "deny", match: { kinds: [{ apiGroups: [""], kinds: ["Namespace"] }] }, parameters: { labels: [{ key: "owner" }] } });
    await rest.remove({ apiVersion: CONSTRAINTS, kind: "K8sRequiredLabels", name: "typo" });

    const report = await create({
      apiVersion: WG,
      kind: "PolicyReport",
      metadata: { name: "typo", namespace: "default" },
      summry: { pass: 1 },
      summary: { pass: 1, fial: 2 },
      results: [{ policy: "p", result: "pass", mesage: "x", timestamp: { seconds: 1, nanos: 0, nanoz: 1 } }],
    });
    expect({ summary: report.summary, results: report.results, summry: report.summry }).toEqual({ summary: { pass: 1 }, results: [{ policy: "p", result: "pass", timestamp: { seconds: 1, nanos: 0 } }], summry: undefined });
    const refused = await create({ apiVersion: WG, kind: "PolicyReport", metadata: { name: "bad", namespace: "default" }, results: [{ policy: "p", severity: "urgent" }] }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).status).toBe(422);
  });

  it("lets the viewer read every policy kind, and `view` (through Kyverno's aggregated role) read PolicyReports only", async () => {
    const viewer = cluster.rest("viewer");
    for (const [apiVersion, kind] of [[CONSTRAINTS, "K8sRequiredLabels"], [CONSTRAINTS, "K8sAllowedRepos"], ["templates.gatekeeper.sh/v1", "ConstraintTemplate"], [WG, "PolicyReport"], [WG, "ClusterPolicyReport"], [OR, "Report"], [OR, "ClusterReport"]]) {
      await expect(viewer.list(apiVersion as string, kind as string)).resolves.toMatchObject({ items: expect.any(Array) });
    }
    await rest.apply(
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "reader-view", namespace: "default" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "ns-reader" }],
      },
      "test",
    );
    const reader = rest.impersonating("ns-reader");
    try {
      await pollUntil("view to cover policyreports", 10_000, 100, async () => ((await reader.raw("GET", "/apis/wgpolicyk8s.io/v1alpha2/namespaces/default/policyreports")).status === 200 ? true : undefined));
      expect((await reader.raw("GET", "/apis/openreports.io/v1alpha1/namespaces/default/reports")).status).toBe(403);
    } finally {
      reader.close();
    }
  });

  it("audits Namespaces: byPod at once, audit status only after an audit, violations capped while totalViolations counts all, and absent once compliant", async () => {
    const names = ["audit-a", "audit-b", "audit-c", "audit-d", "audit-e"];
    await Promise.all(names.map((n) => rest.apply(ns(n, { "audit-test": "yes" }), "test")));
    await create(constraint("K8sRequiredLabels", "ns-must-have-owner", { match: { kinds: [{ apiGroups: [""], kinds: ["Namespace"] }], labelSelector: { matchLabels: { "audit-test": "yes" } } }, parameters: { labels: [{ key: "owner" }, { key: "cost-center" }] } }));

    // Gatekeeper's status controller reports the constraint enforced by its pods before any audit.
    const fresh = await policy.waitFor({ apiVersion: CONSTRAINTS, kind: "K8sRequiredLabels", name: "ns-must-have-owner" }, (c) => (st(c).byPod?.length ?? 0) > 0);
    expect(st(fresh).byPod?.map((p) => [p.id.replace(/-[0-9a-f]+-[0-9a-f]+$/, ""), p.enforced, p.observedGeneration, p.constraintUID])).toEqual([
      ["gatekeeper-audit", true, 1, fresh.metadata.uid],
      ["gatekeeper-controller-manager", true, 1, fresh.metadata.uid],
    ]);
    expect(st(fresh).auditTimestamp).toBeUndefined();
    expect(st(fresh).totalViolations).toBeUndefined();

    const before = Math.floor(Date.now() / 1000) * 1000;
    await policy.auditNow();
    const audited = await getConstraint("K8sRequiredLabels", "ns-must-have-owner");
    expect(st(audited).auditTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(st(audited).auditTimestamp as string)).toBeGreaterThanOrEqual(before);
    expect(st(audited).totalViolations).toBe(names.length);
    expect(st(audited).violations).toEqual(
      names.slice(0, LIMIT).map((name) => ({ enforcementAction: "deny", group: "", version: "v1", kind: "Namespace", name, message: 'you must provide labels: {"cost-center", "owner"}' })),
    );
    expect(st(audited).byPod).toHaveLength(2); // the audit leaves the status controller's part alone

    await Promise.all(names.map((n) => rest.apply(ns(n, { "audit-test": "yes", owner: "team", "cost-center": "42" }), "test")));
    await policy.auditNow();
    const compliant = st(await getConstraint("K8sRequiredLabels", "ns-must-have-owner"));
    expect(compliant.totalViolations).toBe(0);
    expect(compliant).not.toHaveProperty("violations");
  });

  it("evaluates allowedRegex, namespaces and excludedNamespaces, with the constraint's enforcementAction", async () => {
    await Promise.all(["regex-in", "regex-out"].map((n) => rest.apply(ns(n), "test")));
    for (const namespace of ["regex-in", "regex-out"]) {
      for (const [name, env] of [["good", "prod"], ["bad", "qa"]] as const) {
        await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, labels: { env } } }, "test");
      }
    }
    await create(
      constraint("K8sRequiredLabels", "cm-env", {
        enforcementAction: "dryrun",
        match: { kinds: [{ apiGroups: [""], kinds: ["ConfigMap"] }], namespaces: ["regex-*"], excludedNamespaces: ["*-out"] },
        parameters: { labels: [{ key: "env", allowedRegex: "^(dev|prod)$" }] },
      }),
    );
    await policy.auditNow();
    const status = st(await getConstraint("K8sRequiredLabels", "cm-env"));
    expect(status.totalViolations).toBe(1);
    expect(status.violations).toEqual([
      { enforcementAction: "dryrun", group: "", version: "v1", kind: "ConfigMap", namespace: "regex-in", name: "bad", message: "Label <env: qa> does not satisfy allowed regex: ^(dev|prod)$" },
    ]);
  });

  it("K8sAllowedRepos reviews Pods' containers, and Deployments only through the expansion template", async () => {
    await rest.apply(ns("repos"), "test");
    // No controller-manager creates the default ServiceAccount (or a token for it): the Pod's admission needs one.
    await rest.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "repos" } }, "test");
    const containers = [{ name: "app", image: "docker.io/library/nginx:1.27" }, { name: "sidecar", image: "ghcr.io/acme/proxy:1" }];
    await rest.apply(
      { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "repos" }, spec: { automountServiceAccountToken: false, containers, initContainers: [{ name: "init", image: "busybox" }] } },
      "test",
    );
    await rest.apply(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "repos" },
        spec: { selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers } } },
      },
      "test",
    );
    const repos = ["ghcr.io/acme/"];
    await create(constraint("K8sAllowedRepos", "pods-from-acme", { match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }], namespaces: ["repos"] }, parameters: { repos } }));
    // Matching the Deployment itself finds nothing: the template reads spec.containers.
    await create(constraint("K8sAllowedRepos", "deployments-from-acme", { match: { kinds: [{ apiGroups: ["apps"], kinds: ["Deployment"] }], namespaces: ["repos"] }, parameters: { repos } }));
    await policy.auditNow();

    const pods = st(await getConstraint("K8sAllowedRepos", "pods-from-acme"));
    expect(pods.totalViolations).toBe(3);
    expect(pods.violations?.map((v) => [v.group, v.kind, v.name, v.message])).toEqual([
      ["", "Pod", "web", 'container <app> has an invalid image repo <docker.io/library/nginx:1.27>, allowed repos are ["ghcr.io/acme/"]'],
      ["", "Pod", "web", 'initContainer <init> has an invalid image repo <busybox>, allowed repos are ["ghcr.io/acme/"]'],
      ["apps", "Deployment", "api", `[Implied by ${EXPANSION}] container <app> has an invalid image repo <docker.io/library/nginx:1.27>, allowed repos are ["ghcr.io/acme/"]`],
    ]);
    const deployments = st(await getConstraint("K8sAllowedRepos", "deployments-from-acme"));
    expect(deployments.totalViolations).toBe(0);
    expect(deployments).not.toHaveProperty("violations");
  });

  it("audits on its interval, leaves a constraint created since unaudited, and freezes while paused", async () => {
    const name = "ns-must-have-owner";
    const start = await getConstraint("K8sRequiredLabels", name);
    policy.resume();
    // A timed audit rewrites the status (the timestamp has whole seconds: compare resourceVersion).
    await policy.waitFor({ apiVersion: CONSTRAINTS, kind: "K8sRequiredLabels", name }, (c) => c.metadata.resourceVersion !== start.metadata.resourceVersion && st(c).auditTimestamp !== st(start).auditTimestamp, 5_000);
    policy.pause();
    await sleep(AUDIT_INTERVAL_MS); // let a run under way finish
    const frozen = await getConstraint("K8sRequiredLabels", name);
    await create(constraint("K8sRequiredLabels", "late", { match: { kinds: [{ apiGroups: [""], kinds: ["Namespace"] }] }, parameters: { labels: [{ key: "owner" }] } }));
    await policy.waitFor({ apiVersion: CONSTRAINTS, kind: "K8sRequiredLabels", name: "late" }, (c) => (st(c).byPod?.length ?? 0) === 2);
    await sleep(3 * AUDIT_INTERVAL_MS);
    expect((await getConstraint("K8sRequiredLabels", name)).metadata.resourceVersion).toBe(frozen.metadata.resourceVersion);
    const late = st(await getConstraint("K8sRequiredLabels", "late"));
    expect([late.auditTimestamp, late.totalViolations]).toEqual([undefined, undefined]);

    policy.resume();
    const audited = await policy.waitFor({ apiVersion: CONSTRAINTS, kind: "K8sRequiredLabels", name: "late" }, (c) => st(c).totalViolations !== undefined, 5_000);
    policy.pause();
    // Every Namespace lacks owner except the five the audit test labelled.
    const namespaces = (await rest.list("v1", "Namespace")).items;
    expect(st(audited).totalViolations).toBe(namespaces.filter((n) => !n.metadata.labels?.owner).length);
    expect(st(audited).violations).toHaveLength(LIMIT);
  });

  describe("Kyverno reports", () => {
    const requireTeam: KyvernoPolicy = {
      name: "require-team",
      category: "Best Practices",
      severity: "medium",
      rules: [
        {
          name: "check-team",
          kinds: [{ apiVersion: "v1", kind: "ConfigMap" }, { apiVersion: "v1", kind: "Namespace" }],
          // Matches only what the test labels (a rule whose match does not select an object gives no result).
          check: (o) => (o.metadata.labels?.["kyverno-test"] !== "yes" ? undefined : o.metadata.labels.team ? { result: "pass" } : { result: "fail", message: "validation error: label team is required. rule check-team failed at path /metadata/labels/team/" }),
        },
      ],
    };
    const auditOnly: KyvernoPolicy = {
      name: "no-latest",
      namespace: "kyv",
      scored: false,
      rules: [{ name: "no-latest", kinds: [{ apiVersion: "v1", kind: "ConfigMap" }], check: (o) => (o.metadata.labels?.["kyverno-test"] === "yes" ? { result: "fail" } : undefined) }],
    };
    const labelled = (team?: string): Record<string, string> => ({ "kyverno-test": "yes", ...(team ? { team } : {}) });
    const reportFor = async (apiVersion: string, kind: string, obj: KubeObject): Promise<Report | undefined> =>
      (await rest.get(apiVersion, kind, obj.metadata.namespace, obj.metadata.uid as string)) as Report | undefined;

    let good: KubeObject;
    let bad: KubeObject;
    let kyvNs: KubeObject;

    beforeAll(async () => {
      kyvNs = await rest.apply(ns("kyv", labelled()), "test");
      good = await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "good", namespace: "kyv", labels: labelled("payments") } }, "test");
      bad = await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: "kyv", labels: labelled() } }, "test");
      // Kyverno's default resourceFilters skip kube-system.
      await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "filtered", namespace: "kube-system", labels: labelled() } }, "test");
    });

    it("writes one report per resource, named by its UID, with scope, summary and Kyverno's result fields", async () => {
      const started = Math.floor(Date.now() / 1000);
      await policy.setKyvernoPolicies([requireTeam, auditOnly]);
      const report = (await reportFor(WG, "PolicyReport", bad)) as Report;
      expect(report.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "kyverno" });
      expect(report.metadata).toMatchObject({ ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "bad", uid: bad.metadata.uid }] });
      expect(report.scope).toEqual({ apiVersion: "v1", kind: "ConfigMap", name: "bad", namespace: "kyv", uid: bad.metadata.uid });
      expect(report.summary).toEqual({ pass: 0, fail: 1, warn: 1, error: 0, skip: 0 });
      // Sorted by policy: a namespaced Policy is <namespace>/<name>; its unscored failure is a warn without `scored`.
      expect(report.results).toEqual([
        { source: "kyverno", policy: "kyv/no-latest", rule: "no-latest", result: "warn", message: "validation error: rule no-latest failed", properties: { process: "background scan" }, timestamp: { seconds: expect.any(Number), nanos: 0 } },
        {
          source: "kyverno",
          policy: "require-team",
          rule: "check-team",
          result: "fail",
          scored: true,
          category: "Best Practices",
          severity: "medium",
          message: "validation error: label team is required. rule check-team failed at path /metadata/labels/team/",
          properties: { process: "background scan" },
          timestamp: { seconds: expect.any(Number), nanos: 0 },
        },
      ]);
      expect(report.results[1]?.timestamp.seconds).toBeGreaterThanOrEqual(started);

      const goodReport = (await reportFor(WG, "PolicyReport", good)) as Report;
      expect(goodReport.summary).toEqual({ pass: 1, fail: 0, warn: 1, error: 0, skip: 0 });
      expect(goodReport.results.find((r) => r.policy === "require-team")?.message).toBe("validation rule 'check-team' passed.");
      // A cluster-scoped resource gets a ClusterPolicyReport; the filtered one and unmatched ones get nothing.
      const nsReport = (await reportFor(WG, "ClusterPolicyReport", kyvNs)) as Report;
      expect(nsReport.scope).toEqual({ apiVersion: "v1", kind: "Namespace", name: "kyv", uid: kyvNs.metadata.uid });
      const all = [...(await rest.list(WG, "PolicyReport")).items, ...(await rest.list(WG, "ClusterPolicyReport")).items].filter((r) => r.metadata.labels?.["app.kubernetes.io/managed-by"] === "kyverno");
      expect(all.map((r) => (r as Report).scope?.name).sort()).toEqual(["bad", "good", "kyv"]);
    });

    it("rewrites only what changed, and deletes reports of deleted or no longer matched resources", async () => {
      const goodBefore = (await reportFor(WG, "PolicyReport", good)) as Report;
      await rest.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: "kyv", labels: labelled("checkout") } }, "test");
      await sleep(1100); // a result evaluated again now would carry a later timestamp (whole seconds)
      await policy.scanNow();
      const badAfter = (await reportFor(WG, "PolicyReport", bad)) as Report;
      expect(badAfter.summary).toEqual({ pass: 1, fail: 0, warn: 1, error: 0, skip: 0 });
      expect(badAfter.results[0]?.timestamp.seconds).toBeGreaterThan(goodBefore.results[0]?.timestamp.seconds as number);
      const goodAfter = (await reportFor(WG, "PolicyReport", good)) as Report;
      expect([goodAfter.metadata.resourceVersion, goodAfter.results]).toEqual([goodBefore.metadata.resourceVersion, goodBefore.results]);

      await rest.remove({ apiVersion: "v1", kind: "ConfigMap", namespace: "kyv", name: "good" });
      await policy.scanNow();
      expect(await reportFor(WG, "PolicyReport", good)).toBeUndefined();
      await policy.setKyvernoPolicies([]);
      expect(await reportFor(WG, "PolicyReport", bad)).toBeUndefined();
      expect(await reportFor(WG, "ClusterPolicyReport", kyvNs)).toBeUndefined();
    });

    it("writes openreports.io Reports instead when asked, with the report-level source Kyverno leaves empty", async () => {
      const openreports = await startPolicyStandIn(cluster, { auditIntervalMs: 0, scanIntervalMs: 0, reportGroup: "openreports.io" });
      try {
        await openreports.setKyvernoPolicies([requireTeam]);
        const report = (await reportFor(OR, "Report", bad)) as Report;
        expect(report).toMatchObject({ source: "", scope: { kind: "ConfigMap", name: "bad", uid: bad.metadata.uid }, summary: { pass: 1, fail: 0, warn: 0, error: 0, skip: 0 } });
        expect(report.results).toEqual([expect.objectContaining({ source: "kyverno", policy: "require-team", result: "pass" })]);
        expect((await reportFor(OR, "ClusterReport", kyvNs))?.scope).toMatchObject({ kind: "Namespace", name: "kyv" });
        expect(await reportFor(WG, "PolicyReport", bad)).toBeUndefined();
      } finally {
        await openreports.stop();
      }
    });
  });

  it("writes a bulk report over several objects, each under the request size limit, that scans leave alone", async () => {
    await rest.apply(ns("bulk"), "test");
    const bulk = await policy.writeBulkReport({ namespace: "bulk", name: "huge", policy: "require-team", results: 5000, failEvery: 7 });
    expect(bulk.reports).toEqual(["huge-0", "huge-1", "huge-2", "huge-3", "huge-4"]);
    expect([bulk.results, bulk.fail, bulk.pass]).toEqual([5000, 714, 4286]);
    expect(bulk.largestBytes).toBeLessThan(1.5 * 1024 * 1024);
    const written = (await rest.list(WG, "PolicyReport", "bulk")).items as Report[];
    expect(written.map((r) => r.results.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    const sum = (key: string): number => written.reduce((n, r) => n + (r.summary[key] ?? 0), 0);
    expect([sum("pass"), sum("fail")]).toEqual([4286, 714]);
    expect(written[0]?.results[0]?.resources).toEqual([expect.objectContaining({ kind: "ConfigMap", namespace: "bulk" })]);

    // A byte budget cuts before the count does; writing the same names again replaces them.
    const cut = await policy.writeBulkReport({ namespace: "bulk", name: "cut", policy: "require-team", results: 1000, maxReportBytes: 100_000 });
    expect(cut.reports.length).toBeGreaterThan(3);
    expect(cut.largestBytes).toBeLessThanOrEqual(100_000);
    const again = await policy.writeBulkReport({ namespace: "bulk", name: "cut", policy: "require-team", results: 1000, failEvery: 2, maxReportBytes: 100_000 });
    expect(again.reports).toEqual(cut.reports);
    const cuts = (await rest.list(WG, "PolicyReport", "bulk")).items.filter((r) => r.metadata.name.startsWith("cut-")) as Report[];
    expect(cuts).toHaveLength(cut.reports.length);
    expect(cuts.reduce((n, r) => n + (r.summary.fail ?? 0), 0)).toBe(500);
    // Not Kyverno's (no managed-by label): a scan leaves them.
    await policy.scanNow();
    expect((await rest.list(WG, "PolicyReport", "bulk")).items).toHaveLength(5 + cut.reports.length);
    console.log(`bulk report: ${bulk.results} results in ${bulk.reports.length} objects (largest ${bulk.largestBytes} bytes) in ${bulk.elapsedMs} ms`);
  });
});
