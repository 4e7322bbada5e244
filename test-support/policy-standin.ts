// A stand-in for the policy engines of a `policy` cluster (startCluster({ policy: true })):
// Gatekeeper's audit (gatekeeper-audit.ts) writing constraint status on its interval and on
// demand, Gatekeeper's constraint status controller writing status.byPod, and Kyverno's
// background scan and reports controller (kyverno-reports.ts) writing one policy report per
// resource. Tests freeze both with pause() to get a stale audit.
import crypto from "node:crypto";
import type { TestCluster } from "./cluster";
import { CONSTRAINT_KINDS, CONSTRAINTS_API, runAudit } from "./gatekeeper-audit";
import type { KubeObject, KubeRest } from "./kube-rest";
import { KyvernoScanner, putReport, reportKinds, sortResults, summarize, type KyvernoPolicy, type ReportGroup, type ReportResult } from "./kyverno-reports";
import { pollUntil } from "./process-guard";
import { StandInRuntime } from "./standin-runtime";

export type { KyvernoPolicy, KyvernoRule, PolicyResult, ReportGroup, ReportResult, Severity } from "./kyverno-reports";
export { CONSTRAINT_KINDS, CONSTRAINTS_API } from "./gatekeeper-audit";

export type PolicyStandInOptions = {
  /** Gatekeeper's --audit-interval: the first audit runs one interval after start. Default 60_000; 0: only auditNow(). */
  auditIntervalMs?: number;
  /** Gatekeeper's --constraint-violations-limit (default 20). */
  violationsLimit?: number;
  /** Emulate a Gatekeeper ExpansionTemplate of this name for Deployments/StatefulSets/DaemonSets (see gatekeeper-audit.ts). */
  expansionTemplate?: string;
  /** Which reports Kyverno writes: wgpolicyk8s.io (default) or openreports.io (Kyverno 1.15's openreports mode). */
  reportGroup?: ReportGroup;
  /**
   * How often changed resources are scanned again. Kyverno reacts to a change within about ten
   * seconds (its reports aggregate after a 10 s delay); default 10_000. 0: only scanNow() and
   * setKyvernoPolicies().
   */
  scanIntervalMs?: number;
};

export type BulkReportOptions = {
  /** Namespaced reports in this namespace; omitted: cluster reports. */
  namespace?: string;
  /** Reports are named <name>-0, <name>-1, ... */
  name: string;
  policy: string;
  /** How many results in all. */
  results: number;
  /** Every failEvery-th result fails, the others pass (default: none fail). */
  failEvery?: number;
  /** At most this many results per report object (default 1000; a smaller cut is made to stay under maxReportBytes). */
  resultsPerReport?: number;
  /** Serialized size a report may reach (default 1 MiB, well under etcd's 1.5 MiB request limit). */
  maxReportBytes?: number;
  /** Report group to write (default: the stand-in's reportGroup). */
  reportGroup?: ReportGroup;
};

export type BulkReport = {
  /** Names of the report objects written. */
  reports: string[];
  results: number;
  pass: number;
  fail: number;
  /** Size of the largest report sent, in bytes of JSON. */
  largestBytes: number;
  elapsedMs: number;
};

export type PolicyStandIn = {
  /** Runs one Gatekeeper audit now (after any run under way) and resolves once every constraint's status is written. */
  auditNow(): Promise<void>;
  /** Replaces Kyverno's policies and scans every resource again; resolves once the reports are written. */
  setKyvernoPolicies(policies: KyvernoPolicy[]): Promise<void>;
  /** One Kyverno scan now: new and changed resources, and reports of deleted ones. */
  scanNow(): Promise<void>;
  /** No timed audits or scans until resume(), so what was written goes stale (auditNow/scanNow still work). */
  pause(): void;
  resume(): void;
  /** Writes `results` results split over as many report objects as needed; not managed by Kyverno, so scans leave them alone. */
  writeBulkReport(opts: BulkReportOptions): Promise<BulkReport>;
  /** Polls the API until `predicate` holds for the object; rejects with the last state seen. */
  waitFor(ref: { apiVersion: string; kind: string; namespace?: string; name: string }, predicate: (obj: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  stop(): Promise<void>;
};

const debug = (what: string, err: unknown): void => {
  if (process.env.FLEETLINE_DEBUG) console.warn(`[policy stand-in] ${what}:`, err);
};

/** A Deployment's pod name: <name>-<pod-template-hash>-<5 chars>. */
const podName = (deployment: string): string => `${deployment}-${crypto.randomBytes(5).toString("hex").slice(0, 9)}-${crypto.randomBytes(3).toString("hex").slice(0, 5)}`;

/**
 * Gatekeeper's constraint status controller: status.byPod gets one entry per Gatekeeper pod,
 * sorted by id, once that pod has the constraint (right after it is created or changed,
 * whatever the audit does). Operations are those deploy/gatekeeper.yaml assigns.
 */
function byPodWriter(rest: KubeRest): StandInRuntime {
  const pods = [
    { id: podName("gatekeeper-audit"), operations: ["audit", "generate", "mutation-status", "status"] },
    { id: podName("gatekeeper-controller-manager"), operations: ["mutation-webhook", "webhook"] },
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  const observed = (c: KubeObject): number | undefined => ((c.status as { byPod?: { observedGeneration?: number }[] } | undefined)?.byPod ?? [])[0]?.observedGeneration;
  return new StandInRuntime(
    rest,
    CONSTRAINT_KINDS.map((kind) => ({
      apiVersion: CONSTRAINTS_API,
      kind,
      needsReconcile: (_type, c) => observed(c) !== c.metadata.generation,
      async reconcile(c) {
        if (observed(c) === c.metadata.generation) return undefined;
        const byPod = pods.map((p) => ({ ...p, constraintUID: c.metadata.uid, enforced: true, observedGeneration: c.metadata.generation }));
        await rest.mergePatch({ apiVersion: CONSTRAINTS_API, kind, name: c.metadata.name }, { status: { byPod } }, "status");
        return undefined;
      },
    })),
  );
}

/** Runs `task` every `intervalMs` (the first run one interval after start) while not paused, one run at a time. */
class Loop {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
  ) {
    this.schedule();
  }

  /** Queued behind a run under way, so the result reflects the cluster as of now. */
  runNow(): Promise<void> {
    const run = this.chain.then(() => this.task());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private schedule(): void {
    if (this.intervalMs <= 0 || this.paused || this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.paused || this.stopped) return;
      void this.runNow()
        .catch((err: unknown) => debug(this.name, err))
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pause();
    await this.chain;
  }
}

async function writeBulkReport(rest: KubeRest, defaultGroup: ReportGroup, opts: BulkReportOptions): Promise<BulkReport> {
  const started = Date.now();
  const group = opts.reportGroup ?? defaultGroup;
  const kinds = reportKinds(group);
  const perReport = opts.resultsPerReport ?? 1000;
  const maxBytes = opts.maxReportBytes ?? 1024 * 1024;
  const seconds = Math.floor(Date.now() / 1000);
  const namespace = opts.namespace;
  const result = (i: number): ReportResult => {
    const failed = opts.failEvery !== undefined && opts.failEvery > 0 && (i + 1) % opts.failEvery === 0;
    const name = `${opts.name}-${i}`;
    return {
      source: "kyverno",
      policy: opts.policy,
      rule: "check",
      message: failed ? `validation error: rule check failed at path /metadata/labels/team/ (${name})` : `validation rule 'check' passed.`,
      result: failed ? "fail" : "pass",
      scored: true,
      timestamp: { seconds, nanos: 0 },
      properties: { process: "background scan" },
      resources: [{ apiVersion: "v1", kind: "ConfigMap", name, ...(namespace ? { namespace } : {}), uid: crypto.randomUUID() }],
    };
  };
  const build = (index: number, results: ReportResult[]): KubeObject => ({
    apiVersion: kinds.apiVersion,
    kind: namespace ? kinds.namespaced : kinds.cluster,
    metadata: { name: `${opts.name}-${index}`, ...(namespace ? { namespace } : {}) },
    ...(group === "openreports.io" ? { source: "kyverno" } : {}),
    summary: summarize(results),
    results: sortResults(results),
  });

  // Cut by count, and earlier when the serialized report would pass maxBytes.
  const reports: KubeObject[] = [];
  let largestBytes = 0;
  let current: ReportResult[] = [];
  let currentBytes = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    const report = build(reports.length, current);
    largestBytes = Math.max(largestBytes, Buffer.byteLength(JSON.stringify(report)));
    reports.push(report);
    current = [];
    currentBytes = 0;
  };
  for (let i = 0; i < opts.results; i++) {
    const r = result(i);
    const bytes = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (current.length >= perReport || (current.length > 0 && currentBytes + bytes + 1024 > maxBytes)) flush();
    current.push(r);
    currentBytes += bytes;
  }
  flush();

  // A few at a time: each is a large body the API server decodes, validates and prunes.
  const queue = [...reports];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let report = queue.shift(); report; report = queue.shift()) await putReport(rest, report); // an existing one: 409, then replaced
    }),
  );
  const fail = opts.failEvery && opts.failEvery > 0 ? Math.floor(opts.results / opts.failEvery) : 0;
  return { reports: reports.map((r) => r.metadata.name), results: opts.results, pass: opts.results - fail, fail, largestBytes, elapsedMs: Date.now() - started };
}

export async function startPolicyStandIn(cluster: TestCluster, opts: PolicyStandInOptions = {}): Promise<PolicyStandIn> {
  const rest = cluster.rest("admin");
  const reportGroup = opts.reportGroup ?? "wgpolicyk8s.io";
  const scanner = new KyvernoScanner(rest, reportGroup);
  const byPod = byPodWriter(rest);
  await byPod.start();
  const audit = new Loop("audit", opts.auditIntervalMs ?? 60_000, () =>
    runAudit(rest, { violationsLimit: opts.violationsLimit ?? 20, ...(opts.expansionTemplate ? { expansionTemplate: opts.expansionTemplate } : {}) }),
  );
  const scan = new Loop("scan", opts.scanIntervalMs ?? 10_000, () => scanner.scan());

  let stopped: Promise<void> | undefined;
  return {
    auditNow: () => audit.runNow(),
    setKyvernoPolicies(policies) {
      scanner.setPolicies(policies);
      return scan.runNow();
    },
    scanNow: () => scan.runNow(),
    pause() {
      audit.pause();
      scan.pause();
    },
    resume() {
      audit.resume();
      scan.resume();
    },
    writeBulkReport: (bulk) => writeBulkReport(rest, reportGroup, bulk),
    waitFor(ref, predicate, timeoutMs = 30_000) {
      let last: KubeObject | undefined;
      return pollUntil(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`, timeoutMs, 100, async () => {
        last = await rest.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
        return last && predicate(last) ? last : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}; last seen: ${JSON.stringify(last ?? null)}`);
      });
    },
    stop() {
      stopped ??= Promise.all([audit.stop(), scan.stop(), byPod.stop()]).then(() => undefined);
      return stopped;
    },
  };
}
