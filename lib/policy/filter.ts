// Pure: the Policies tab's filters from its URL (the page and its export share them).
import { POLICY_ENGINES, POLICY_SEVERITIES, type PolicyEngine, type PolicySeverity } from "@/db/enums";
import { parseLabelsText } from "@/lib/inventory/cluster-input";

/**
 * Pass: audited recently with no failure. Fail: a failing (or erroring) result. Stale: the last
 * audit is older than a few audit intervals, so it proves nothing either way. Not audited: the
 * engine has not evaluated it yet. Accepted: failing, but an approved, unexpired waiver covers
 * it (counted apart, never as passing). Warnings alone do not fail a policy; they are counted.
 */
export const POLICY_STATES = ["fail", "stale", "not-audited", "accepted", "pass"] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export type PolicyFilter = { engine?: PolicyEngine; severity?: PolicySeverity; state?: PolicyState; labels?: Record<string, string> };
export type PolicyParams = { engine?: string; severity?: string; state?: string; labels?: string; cluster?: string; page?: string };

/** The page's filters from its URL; a label list that does not parse is reported, not applied. */
export function policyFilter(params: PolicyParams): { filter: PolicyFilter; labelsError?: string } {
  const filter: PolicyFilter = {};
  if ((POLICY_ENGINES as readonly string[]).includes(params.engine ?? "")) filter.engine = params.engine as PolicyEngine;
  if ((POLICY_SEVERITIES as readonly string[]).includes(params.severity ?? "")) filter.severity = params.severity as PolicySeverity;
  if ((POLICY_STATES as readonly string[]).includes(params.state ?? "")) filter.state = params.state as PolicyState;
  if (params.labels?.trim()) {
    const parsed = parseLabelsText(params.labels);
    if (!parsed.ok) return { filter, labelsError: parsed.message };
    filter.labels = parsed.labels;
  }
  return { filter };
}

