import Link from "@/components/ui/link";
import { NonCompliantList } from "@/components/compliance/non-compliant-list";
import { SummarySection } from "@/components/compliance/summary-section";
import { TrendChart } from "@/components/compliance/trend-chart";
import { EmptyState } from "@/components/ui/empty-state";
import { loadSummary, loadTrend, type Assignment } from "@/lib/queries/compliance";
import { loadPolicyTrend } from "@/lib/policy/trend";

/** The GitOps trend, with policy compliance offered for comparison once any cluster reports policies. */
function trendWithPolicies(assignments: Assignment[]) {
  const trend = loadTrend(assignments);
  const policies = loadPolicyTrend();
  return policies.points.some((p) => p.percent !== null) ? { ...trend, assignments: [...trend.assignments, policies] } : trend;
}

export function OverviewTab({ assignments }: { assignments: Assignment[] }) {
  if (assignments.length === 0) {
    return (
      <EmptyState title="Nothing is expected anywhere yet" action={{ href: "/configurations/new", label: "Add a configuration" }}>
        Compliance starts once a configuration is pushed (each cluster it targets must then run it) or an audit-only assignment names a
        configuration and the clusters that must run it. <Link href="/compliance?tab=assignments" className="underline">Assignments</Link> lists both.
      </EmptyState>
    );
  }
  const summary = loadSummary(assignments);
  return (
    <div className="space-y-4">
      <SummarySection summary={summary} />
      <div className="grid gap-4 2xl:grid-cols-2">
        <TrendChart trend={trendWithPolicies(assignments)} />
        <NonCompliantList rows={summary.nonCompliant} total={summary.fleet["Non-Compliant"]} />
      </div>
    </div>
  );
}
