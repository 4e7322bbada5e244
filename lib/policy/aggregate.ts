import type { PolicyEngine, PolicySeverity } from "@/db/schema-policy";
import { POLICY_SEVERITIES } from "@/db/schema-policy";

/**
 * Pure: policy engines' objects as they are on the cluster -> one summary per policy with its
 * violations (capped). Gatekeeper writes its audit on each constraint's status; Kyverno (and
 * other tools) write policy reports, one per resource since Kyverno 1.10 (the resource is the
 * report's scope, its results name none) or aggregated (each result names its resources).
 */

export const MAX_VIOLATIONS_PER_POLICY = 50;
export const MAX_MESSAGE_LENGTH = 1024;

export type Violation = {
  result: "fail" | "error" | "warn";
  rule: string | null;
  severity: PolicySeverity | null;
  enforcementAction: string | null;
  resourceKind: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  message: string;
};

export type PolicySummary = {
  engine: PolicyEngine;
  policy: string;
  source: string;
  category: string | null;
  severity: PolicySeverity | null;
  enforcementAction: string | null;
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
  auditedAt: Date | null;
  violations: Violation[];
};

export type Aggregated = { policies: PolicySummary[]; results: number; truncated: boolean };

type ObjectRef = { apiVersion?: unknown; kind?: unknown; name?: unknown; namespace?: unknown };
type ConstraintObject = {
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: { enforcementAction?: unknown };
  status?: { auditTimestamp?: unknown; totalViolations?: unknown; violations?: unknown };
};
type ReportResult = {
  source?: unknown;
  policy?: unknown;
  rule?: unknown;
  category?: unknown;
  severity?: unknown;
  timestamp?: { seconds?: unknown };
  result?: unknown;
  resources?: unknown;
  message?: unknown;
};
type ReportObject = { scope?: ObjectRef; results?: unknown; metadata?: { namespace?: unknown } };

const text = (value: unknown, max = 253): string | null => (typeof value === "string" && value !== "" ? value.slice(0, max) : null);
const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);
const message = (value: unknown): string => (typeof value === "string" ? value.slice(0, MAX_MESSAGE_LENGTH) : "");
const severityOf = (value: unknown): PolicySeverity | null => ((POLICY_SEVERITIES as readonly unknown[]).includes(value) ? (value as PolicySeverity) : null);
const higher = (a: PolicySeverity | null, b: PolicySeverity | null): PolicySeverity | null => {
  if (a === null) return b;
  if (b === null) return a;
  return POLICY_SEVERITIES.indexOf(a) <= POLICY_SEVERITIES.indexOf(b) ? a : b;
};

function parseTime(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/**
 * One constraint: compliant when totalViolations is 0; no auditTimestamp means the audit has not
 * reached it yet. Gatekeeper lists at most --constraint-violations-limit violations (20 by default)
 * and omits the list when there are none; totalViolations is the full count.
 */
export function fromConstraint(object: ConstraintObject): PolicySummary {
  const kind = text(object.kind) ?? "Constraint";
  const name = text(object.metadata?.name) ?? "";
  const status = object.status ?? {};
  const audited = parseTime(status.auditTimestamp);
  const total = count(status.totalViolations);
  const listed = Array.isArray(status.violations) ? (status.violations as Record<string, unknown>[]) : [];
  const action = text(object.spec?.enforcementAction, 32) ?? "deny";
  const violations = listed.slice(0, MAX_VIOLATIONS_PER_POLICY).map(
    (v): Violation => ({
      result: "fail",
      rule: null,
      severity: null,
      enforcementAction: text(v.enforcementAction, 32) ?? action,
      resourceKind: text(v.kind),
      resourceNamespace: text(v.namespace),
      resourceName: text(v.name),
      message: message(v.message),
    }),
  );
  return {
    engine: "gatekeeper",
    policy: `${kind}/${name}`,
    source: "gatekeeper",
    category: null,
    severity: null,
    enforcementAction: action,
    pass: audited && total === 0 ? 1 : 0,
    fail: total,
    warn: 0,
    error: 0,
    skip: 0,
    auditedAt: audited,
    violations,
  };
}

/** Folds report objects into per-policy summaries; call add() per report, then done(). */
export class ReportAggregator {
  private readonly byPolicy = new Map<string, PolicySummary>();
  private results = 0;
  private truncated = false;

  constructor(private readonly engine: Extract<PolicyEngine, "policyreport" | "openreports">) {}

  add(report: ReportObject): void {
    const results = Array.isArray(report.results) ? (report.results as ReportResult[]) : [];
    const scope = report.scope;
    for (const r of results) {
      this.results++;
      const policy = text(r.policy) ?? "(unnamed policy)";
      let summary = this.byPolicy.get(policy);
      if (!summary) {
        summary = { engine: this.engine, policy, source: text(r.source, 63) ?? "unknown", category: text(r.category), severity: null, enforcementAction: null, pass: 0, fail: 0, warn: 0, error: 0, skip: 0, auditedAt: null, violations: [] };
        this.byPolicy.set(policy, summary);
      }
      const seconds = typeof r.timestamp?.seconds === "number" ? r.timestamp.seconds : Number(r.timestamp?.seconds);
      if (Number.isFinite(seconds) && seconds > 0 && (summary.auditedAt === null || seconds * 1000 > summary.auditedAt.getTime())) summary.auditedAt = new Date(seconds * 1000);
      const result = r.result;
      if (result !== "pass" && result !== "fail" && result !== "warn" && result !== "error" && result !== "skip") continue;
      summary[result]++;
      if (result === "pass" || result === "skip") continue;
      const severity = severityOf(r.severity);
      summary.severity = higher(summary.severity, severity);
      if (summary.violations.length >= MAX_VIOLATIONS_PER_POLICY) {
        this.truncated = true;
        continue;
      }
      // Per-resource reports name the resource in their scope; aggregated ones in each result.
      const resource = (Array.isArray(r.resources) ? (r.resources[0] as ObjectRef | undefined) : undefined) ?? scope;
      summary.violations.push({
        result,
        rule: text(r.rule),
        severity,
        enforcementAction: null,
        resourceKind: text(resource?.kind),
        resourceNamespace: text(resource?.namespace) ?? text(report.metadata?.namespace),
        resourceName: text(resource?.name),
        message: message(r.message),
      });
    }
  }

  done(): Aggregated {
    return { policies: [...this.byPolicy.values()], results: this.results, truncated: this.truncated };
  }
}
